import { type ServiceIdentifier } from 'inversify';
import { type DataSource, QueryFailedError, type Repository } from 'typeorm';
import { ZunServiceNotFound } from '@zun-ts/common';
import { type ServiceRegistration, type ServiceRegistry, type ZunService } from '@zun-ts/objects';
import { ZunServiceEntity } from './entities';
import { type SqlEngine, TableCodec } from './sql-engine';

/** Fields an operator may change on a service row. */
export type ZunServicePatch = Partial<Pick<ZunService, 'disabled' | 'disabled_reason' | 'forced_down'>>;

/** The zun_service table. Rows are keyed by (host, binary). */
export interface ZunServiceRepository {
  /** All services, ordered by id. */
  list(): Promise<ZunService[]>;
  get(host: string, binary: string): Promise<ZunService | null>;
  /**
   * Creates the row, or, when it exists, refreshes its topic and availability zone. Safe when several
   * processes register the same (host, binary) at once: the unique index decides, the losers update.
   */
  upsert(s: ServiceRegistration): Promise<ZunService>;
  /** `report_count + 1`, `last_seen_up = now` in one UPDATE, so concurrent beats are never lost. Throws ZunServiceNotFound. */
  heartbeat(host: string, binary: string): Promise<void>;
  /** Throws ZunServiceNotFound. */
  update(host: string, binary: string, patch: ZunServicePatch): Promise<ZunService>;
  /** Throws ZunServiceNotFound. */
  delete(host: string, binary: string): Promise<void>;
}

/** Injection token of the {@link ZunServiceRepository}. */
export const ZUN_SERVICE_REPOSITORY: ServiceIdentifier<ZunServiceRepository> = Symbol.for('zun.ZunServiceRepository');

/** A duplicate key on either engine. */
export function isUniqueViolation(e: unknown): boolean {
  const driverError: unknown = e instanceof QueryFailedError ? e.driverError : e;
  const code = (driverError as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function isDeadlock(e: unknown): boolean {
  const driverError: unknown = e instanceof QueryFailedError ? e.driverError : e;
  return (driverError as { code?: unknown } | null)?.code === 'ER_LOCK_DEADLOCK';
}

/**
 * {@link ZunServiceRepository} on TypeORM, but for {@link list}: every scheduler decision batch reads all services, so
 * the rows are decoded by the table codec from a raw SELECT, without TypeORM's hydration.
 */
export class TypeormZunServiceRepository implements ZunServiceRepository {
  private readonly repo: Repository<ZunService>;
  private readonly codec: TableCodec<ZunService>;
  private readonly selectAll: string;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.repo = ds.getRepository(ZunServiceEntity);
    this.codec = new TableCodec(ds, ZunServiceEntity);
    this.selectAll = `SELECT ${this.codec.selectList} FROM ${this.codec.quotedTable} ORDER BY \`id\``;
  }

  list(): Promise<ZunService[]> {
    return this.engine.selectAs(this.codec, this.selectAll);
  }

  get(host: string, binary: string): Promise<ZunService | null> {
    return this.repo.findOneBy({ host, binary });
  }

  async upsert(s: ServiceRegistration): Promise<ZunService> {
    const { host, binary, topic, availability_zone } = s;
    // A row deleted between our failed insert and the update makes us go round again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      try {
        await this.repo.insert({
          host,
          binary,
          topic,
          availability_zone,
          disabled: false,
          disabled_reason: null,
          forced_down: false,
          report_count: 0,
          last_seen_up: null,
          created_at: now,
          updated_at: null,
        });
      } catch (e) {
        if (isDeadlock(e)) continue; // InnoDB picked this insert as the victim of a racing registration
        if (!isUniqueViolation(e)) throw e;
        // Registering is a sign of life: a service started again after a long stop is up at once, not only at its
        // first heartbeat one report_interval later.
        await this.repo.update({ host, binary }, { topic, availability_zone, last_seen_up: now, updated_at: now });
      }
      const row = await this.get(host, binary);
      if (row) return row;
    }
    throw new ZunServiceNotFound(host, binary);
  }

  async heartbeat(host: string, binary: string): Promise<void> {
    const now = new Date();
    const res = await this.repo
      .createQueryBuilder()
      .update()
      .set({ report_count: () => 'report_count + 1', last_seen_up: now, updated_at: now })
      .where({ host, binary })
      .execute();
    if (!res.affected) throw new ZunServiceNotFound(host, binary);
  }

  async update(host: string, binary: string, patch: ZunServicePatch): Promise<ZunService> {
    const values: ZunServicePatch & { updated_at: Date } = { updated_at: new Date() };
    if (patch.disabled !== undefined) values.disabled = patch.disabled;
    if (patch.disabled_reason !== undefined) values.disabled_reason = patch.disabled_reason;
    if (patch.forced_down !== undefined) values.forced_down = patch.forced_down;
    await this.repo.update({ host, binary }, values);
    const row = await this.get(host, binary);
    if (!row) throw new ZunServiceNotFound(host, binary);
    return row;
  }

  async delete(host: string, binary: string): Promise<void> {
    const res = await this.repo.delete({ host, binary });
    if (!res.affected) throw new ZunServiceNotFound(host, binary);
  }
}

/** Services that hold DB credentials register and heartbeat straight into the table. */
export class DbServiceRegistry implements ServiceRegistry {
  constructor(private readonly services: ZunServiceRepository) {}

  register(s: ServiceRegistration): Promise<ZunService> {
    return this.services.upsert(s);
  }

  heartbeat(host: string, binary: string): Promise<void> {
    return this.services.heartbeat(host, binary);
  }
}
