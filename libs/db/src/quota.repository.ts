import { type DataSource } from 'typeorm';
import { BadRequest, NotAuthorized, registerError, type ZunError } from '@zun-ts/common';
import { type Container, CONTAINER_TYPES, type JsonObject, QUOTA_RESOURCES, type Volume, type Quota, type QuotaClass, type QuotaResource } from '@zun-ts/objects';
import { type ContainerUsage, type NewContainer, type SqlContainerRepository, usageFromRow } from './container.repository';
import { ContainerAlreadyExists } from './db-errors';
import { QuotaClassEntity, QuotaEntity } from './entities';
import { createCapsuleTx, type CreatedCapsule, type NewCapsule } from './capsule-statements';
import { VolumeSql } from './volume-statements';
import { type MountPlan, type NewVolume } from './volume.types';
import { NetworkSql } from './network-statements';
import { type PortPlan } from './network.types';
import { exec, rollback, select, type SqlEngine, type SqlRow, type SqlValue, sqlDate, TableCodec, type TxBody } from './sql-engine';
import { isUniqueViolation } from './zun-service.repository';

/** A limit per quota resource; −1 means unlimited. */
export type QuotaLimits = Record<QuotaResource, number>;

/** What a request would add to its project's usage (negative for a shrinking update). */
export type QuotaDeltas = Record<QuotaResource, number>;

/** The only quota class Zun enforces: its rows are every project's defaults. */
export const DEFAULT_QUOTA_CLASS = 'default';

/** Python's repr of a list of names, as Zun's quota messages print it: `['cpu', 'memory']`. */
function pyList(names: readonly string[]): string {
  return `[${names.map((n) => `'${n}'`).join(', ')}]`;
}

/** A request would take a project over its quota (403 `container.over-quota`). */
export class OverQuota extends NotAuthorized {
  /** The error for the resources that would be over, in Zun's words (sorted). */
  static of(overs: readonly string[]): OverQuota {
    return new OverQuota(`Quota exceeded for resources: ${pyList([...overs].sort())}`);
  }
}

/** A change would make a project's usage negative (400 `container.invalid-quota-value`). */
export class InvalidQuotaValue extends BadRequest {
  static of(unders: readonly string[]): InvalidQuotaValue {
    return new InvalidQuotaValue(`Change would make usage less than 0 for the following resources: ${pyList([...unders].sort())}`);
  }
}

for (const cls of [OverQuota, InvalidQuotaValue]) registerError(cls as unknown as new (message: string) => ZunError);

/**
 * Passed instead of the defaults when quotas are off (Zun's no-op quota driver): creates are still written in one
 * transaction per project, but no limit (not even a stored override) is checked.
 */
export const QUOTAS_OFF = Symbol('quotas off');

/** Float sums of fractional cpus must not make an exact fit look over. */
const ROUND = 1e6;

/**
 * Zun's limit check: usage + deltas per resource. Negative totals are refused first (InvalidQuotaValue), then
 * totals above a non-negative limit (OverQuota); reaching the limit exactly is allowed.
 */
export function checkQuota(usage: ContainerUsage, deltas: QuotaDeltas, limits: QuotaLimits): void {
  const totals = QUOTA_RESOURCES.map((r) => [r, Math.round((usage[r] + deltas[r]) * ROUND) / ROUND] as const);
  const unders = totals.filter(([, v]) => v < 0).map(([r]) => r);
  if (unders.length) throw InvalidQuotaValue.of(unders);
  const overs = totals.filter(([r, v]) => limits[r] >= 0 && limits[r] < v).map(([r]) => r);
  if (overs.length) throw OverQuota.of(overs);
}

function limitOf(v: number | null): number {
  // A NULL hard limit is unlimited, as in Zun.
  return v === null ? -1 : v;
}

/** Per-project quota overrides (the quota table) and the checks that enforce them. */
export interface QuotaRepository {
  /** The project's override rows, ordered by resource. */
  projectOverrides(projectId: string): Promise<Quota[]>;
  /** Effective limits: the project's override, else the `default` class row, else `defaults` (from `[quota]`). */
  effectiveLimits(projectId: string, defaults: QuotaLimits): Promise<QuotaLimits>;
  /** Inserts or updates the project's rows for the given resources (one transaction). */
  setProjectLimits(projectId: string, limits: Partial<QuotaLimits>): Promise<void>;
  /** Removes every override of the project; returns how many rows went. */
  deleteProject(projectId: string): Promise<number>;
  /** The project's usage (containers of any status; `disk` also counts the project's volumes). */
  usage(projectId: string): Promise<ContainerUsage>;
  /** Checks `usage + deltas` against the effective limits; throws OverQuota / InvalidQuotaValue. Not atomic with any write. */
  check(projectId: string, deltas: QuotaDeltas, defaults: QuotaLimits): Promise<void>;
  /**
   * Inserts the container only if `usage + deltas` fits the project's effective limits, atomically: creates of one
   * project are checked one at a time (MariaDB: a lock on the project's quota_lock row held until commit;
   * SQLite: the write transaction), so N racing creates with room for k insert exactly k. Throws OverQuota,
   * InvalidQuotaValue, ContainerAlreadyExists. With `mounts`, the same transaction inserts the new volumes and
   * every mapping and reserves the existing volumes (VolumeRepository's reservation rule): VolumeInUse (409) or
   * VolumeNotFound (404) write nothing. `deltas.disk` is the container's disk plus the sizes of its new volumes.
   * With `ports`, the same transaction inserts the container's ports (`pending`, no address yet; see
   * NetworkRepository.allocatePorts).
   */
  createContainer(
    container: NewContainer & { project_id: string },
    deltas: QuotaDeltas,
    defaults: QuotaLimits | typeof QUOTAS_OFF,
    mounts?: MountPlan,
    ports?: PortPlan,
    /** The build request, stored with the container (container_build_request) for the conductor's recovery. */
    build?: JsonObject,
  ): Promise<Container>;
  /**
   * Inserts a volume only if the project's disk usage plus its size fits the project's `disk` limit, atomically
   * like {@link createContainer}. Throws OverQuota.
   */
  createVolume(volume: NewVolume & { project_id: string }, defaults: QuotaLimits | typeof QUOTAS_OFF): Promise<Volume>;
  /**
   * Inserts a capsule (its row, its members, its volumes and mappings, its ports) only if `usage + deltas` fits,
   * atomically like {@link createContainer}: the capsule counts as one container with its cpu and memory, its new
   * volumes in `disk`; its members count for nothing. Throws OverQuota, InvalidQuotaValue, ContainerAlreadyExists,
   * VolumeInUse, VolumeNotFound; a refused create writes nothing.
   */
  createCapsule(rows: NewCapsule, deltas: QuotaDeltas, defaults: QuotaLimits | typeof QUOTAS_OFF): Promise<CreatedCapsule>;
}

/** Per-class limits (the quota_class table). Only {@link DEFAULT_QUOTA_CLASS} is enforced. */
export interface QuotaClassRepository {
  /** The class's rows, ordered by resource. */
  list(className: string): Promise<QuotaClass[]>;
  /** The class's value per resource, else `defaults`. */
  limits(className: string, defaults: QuotaLimits): Promise<QuotaLimits>;
  /** Inserts or updates the class's rows for the given resources (one transaction). */
  setLimits(className: string, limits: Partial<QuotaLimits>): Promise<void>;
}

/** Statement of an insert-or-update of one (key, resource) row in the quota or quota_class table. */
function upsertStatement(engine: SqlEngine, table: string, keyColumn: string, key: string, resource: string, limit: number, now: Date): { sql: string; params: SqlValue[] } {
  const stamp = sqlDate(now);
  const insert = `INSERT INTO \`${table}\` (\`${keyColumn}\`, \`resource\`, \`hard_limit\`, \`created_at\`, \`updated_at\`) VALUES (?, ?, ?, ?, NULL)`;
  const update =
    engine.kind === 'sqlite'
      ? ` ON CONFLICT (\`${keyColumn}\`, \`resource\`) DO UPDATE SET \`hard_limit\` = excluded.\`hard_limit\`, \`updated_at\` = ?`
      : ' ON DUPLICATE KEY UPDATE `hard_limit` = VALUES(`hard_limit`), `updated_at` = ?';
  return { sql: insert + update, params: [key, resource, limit, stamp, stamp] };
}

function validLimits(limits: Partial<QuotaLimits>): [QuotaResource, number][] {
  return Object.entries(limits).filter((e): e is [QuotaResource, number] => e[1] !== undefined && (QUOTA_RESOURCES as readonly string[]).includes(e[0]));
}

/** Transaction body: effective limits of a project (override → default class → config defaults). */
function* effectiveLimitsTx(projectId: string, defaults: QuotaLimits): TxBody<QuotaLimits> {
  const rows = yield* select<{ source: string; resource: string; hard_limit: unknown }>(
    "SELECT 'class' AS source, `resource`, `hard_limit` FROM `quota_class` WHERE `class_name` = ? " +
      "UNION ALL SELECT 'project' AS source, `resource`, `hard_limit` FROM `quota` WHERE `project_id` = ?",
    [DEFAULT_QUOTA_CLASS, projectId],
  );
  const out: QuotaLimits = { ...defaults };
  const apply = (source: string): void => {
    for (const r of rows) {
      if (r.source === source && (QUOTA_RESOURCES as readonly string[]).includes(r.resource)) {
        out[r.resource as QuotaResource] = limitOf(r.hard_limit === null ? null : Number(r.hard_limit));
      }
    }
  };
  apply('class');
  apply('project');
  return out;
}

/** Returned by a create body that found no lock row for the project (MariaDB): make it, then try again. */
const NO_LOCK_ROW = Symbol('no quota lock row');

/** {@link QuotaRepository} in SQL shared by both engines. */
export class SqlQuotaRepository implements QuotaRepository {
  private readonly codec: TableCodec<Quota>;
  private readonly volumeSql: VolumeSql;
  private readonly networkSql: NetworkSql;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
    private readonly containers: SqlContainerRepository,
  ) {
    this.codec = new TableCodec(ds, QuotaEntity);
    this.volumeSql = new VolumeSql(ds, engine.kind);
    this.networkSql = new NetworkSql(ds, engine.kind);
  }

  projectOverrides(projectId: string): Promise<Quota[]> {
    return this.engine.selectAs(this.codec, `SELECT ${this.codec.selectList} FROM \`quota\` WHERE \`project_id\` = ? ORDER BY \`resource\``, [projectId]);
  }

  effectiveLimits(projectId: string, defaults: QuotaLimits): Promise<QuotaLimits> {
    return this.engine.atomic(() => effectiveLimitsTx(projectId, defaults));
  }

  async setProjectLimits(projectId: string, limits: Partial<QuotaLimits>): Promise<void> {
    const stmts = validLimits(limits).map(([r, v]) => upsertStatement(this.engine, 'quota', 'project_id', projectId, r, v, new Date()));
    await this.engine.atomic(function* (): TxBody<void> {
      for (const s of stmts) yield* exec(s.sql, s.params);
    });
  }

  async deleteProject(projectId: string): Promise<number> {
    return (await this.engine.run('DELETE FROM `quota` WHERE `project_id` = ?', [projectId])).affected;
  }

  /** The SELECT of a project's usage (one row, read with usageFromRow): its containers, and its volumes in `disk`. */
  private usageStatement(projectId: string): { sql: string; params: SqlValue[] } {
    // Plain containers and capsules (a capsule is one container with its cpu and memory); capsule members are not counted.
    const c = this.containers.usageStatement(projectId, [CONTAINER_TYPES.container, CONTAINER_TYPES.capsule]);
    return {
      sql:
        'SELECT u.`containers`, u.`cpu`, u.`memory`, ' +
        'COALESCE(u.`disk`, 0) + (SELECT COALESCE(SUM(`size`), 0) FROM `volume` WHERE `project_id` = ?) AS `disk` ' +
        `FROM (${c.sql}) u`,
      params: [projectId, ...c.params],
    };
  }

  async usage(projectId: string): Promise<ContainerUsage> {
    const q = this.usageStatement(projectId);
    return usageFromRow((await this.engine.select(q.sql, q.params))[0]);
  }

  async check(projectId: string, deltas: QuotaDeltas, defaults: QuotaLimits): Promise<void> {
    const usage = this.usageStatement(projectId);
    await this.engine.atomic(function* (): TxBody<void> {
      const limits = yield* effectiveLimitsTx(projectId, defaults);
      const [row] = yield* select(usage.sql, usage.params);
      checkQuota(usageFromRow(row), deltas, limits);
    });
  }

  async createContainer(
    container: NewContainer & { project_id: string },
    deltas: QuotaDeltas,
    defaults: QuotaLimits | typeof QUOTAS_OFF,
    mounts?: MountPlan,
    ports?: PortPlan,
    build?: JsonObject,
  ): Promise<Container> {
    const insert = this.containers.insertStatement(container);
    const volumes = this.volumeSql;
    const networks = this.networkSql;
    return this.underQuota(container.project_id, deltas, defaults, function* (): TxBody<Container> {
      let created: Container;
      try {
        const res = yield* exec(insert.sql, insert.params);
        created = { id: res.insertId, ...insert.row };
      } catch (e) {
        if (isUniqueViolation(e)) throw new ContainerAlreadyExists(container.uuid);
        throw e;
      }
      if (mounts?.mounts.length) {
        const owner = { uuid: created.uuid, project_id: container.project_id, user_id: created.user_id };
        yield* volumes.planMountsTx(owner, mounts, created.created_at);
      }
      if (ports?.ports.length) yield* networks.planPortsTx({ uuid: created.uuid, project_id: created.project_id }, ports, created.created_at);
      if (build) {
        yield* exec('INSERT INTO `container_build_request` (`container_uuid`, `request`, `created_at`, `updated_at`) VALUES (?, ?, ?, NULL)', [
          created.uuid,
          JSON.stringify(build),
          sqlDate(created.created_at),
        ]);
      }
      return created;
    });
  }

  createCapsule(rows: NewCapsule, deltas: QuotaDeltas, defaults: QuotaLimits | typeof QUOTAS_OFF): Promise<CreatedCapsule> {
    const deps = { containers: this.containers, volumes: this.volumeSql, networks: this.networkSql };
    return this.underQuota(rows.capsule.project_id, deltas, defaults, () => createCapsuleTx(rows, deps));
  }

  async createVolume(volume: NewVolume & { project_id: string }, defaults: QuotaLimits | typeof QUOTAS_OFF): Promise<Volume> {
    const row = this.volumeSql.volumeRow({ ...volume, status: 'available', host: null }, new Date());
    const volumes = this.volumeSql;
    const deltas: QuotaDeltas = { containers: 0, cpu: 0, memory: 0, disk: row.size };
    // Only the disk limit applies: a project at its container limit may still make volumes.
    return this.underQuota(volume.project_id, deltas, defaults, () => volumes.insertVolumeTx(row), ['disk']);
  }

  /**
   * Runs `write` in one transaction after checking `usage + deltas` against the project's limits, with the
   * project's creates serialised: MariaDB locks the project's quota_lock row until commit or rollback, so every
   * other create of the project waits and then counts a usage that includes this one's rows (READ COMMITTED
   * reads what committed before each statement); on SQLite the write transaction is exclusive already.
   */
  private async underQuota<T>(
    projectId: string,
    deltas: QuotaDeltas,
    defaults: QuotaLimits | typeof QUOTAS_OFF,
    write: () => TxBody<T>,
    /** The resources whose limits are checked; @default every one. */
    checked: readonly QuotaResource[] = QUOTA_RESOURCES,
  ): Promise<T> {
    const usage = this.usageStatement(projectId);
    const locking = this.engine.kind === 'mysql';
    const body = function* (): TxBody<T | typeof NO_LOCK_ROW> {
      if (locking) {
        const [lock] = yield* select('SELECT `id` FROM `quota_lock` WHERE `project_id` = ? FOR UPDATE', [projectId]);
        if (!lock) return rollback(NO_LOCK_ROW);
      }
      if (defaults !== QUOTAS_OFF) {
        const limits = yield* effectiveLimitsTx(projectId, defaults);
        for (const r of QUOTA_RESOURCES) if (!checked.includes(r)) limits[r] = -1;
        const [row]: SqlRow[] = yield* select(usage.sql, usage.params);
        checkQuota(usageFromRow(row), deltas, limits);
      }
      return yield* write();
    };
    for (let attempt = 1; ; attempt++) {
      const out = await this.engine.atomic(body);
      if (out !== NO_LOCK_ROW) return out as T;
      if (attempt > 2) throw new Error(`quota lock row of project ${projectId} cannot be created`);
      // First create of the project: add its lock row in its own statement (a racing twin's is ignored), so the
      // transaction above only ever takes the row's exclusive lock and never upgrades a shared one.
      await this.engine.run('INSERT IGNORE INTO `quota_lock` (`project_id`, `created_at`, `updated_at`) VALUES (?, ?, NULL)', [projectId, sqlDate(new Date())]);
    }
  }
}

/** {@link QuotaClassRepository} in SQL shared by both engines. */
export class SqlQuotaClassRepository implements QuotaClassRepository {
  private readonly codec: TableCodec<QuotaClass>;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.codec = new TableCodec(ds, QuotaClassEntity);
  }

  list(className: string): Promise<QuotaClass[]> {
    return this.engine.selectAs(this.codec, `SELECT ${this.codec.selectList} FROM \`quota_class\` WHERE \`class_name\` = ? ORDER BY \`resource\``, [className]);
  }

  async limits(className: string, defaults: QuotaLimits): Promise<QuotaLimits> {
    const out: QuotaLimits = { ...defaults };
    for (const row of await this.list(className)) {
      if ((QUOTA_RESOURCES as readonly string[]).includes(row.resource)) out[row.resource as QuotaResource] = limitOf(row.hard_limit);
    }
    return out;
  }

  async setLimits(className: string, limits: Partial<QuotaLimits>): Promise<void> {
    const stmts = validLimits(limits).map(([r, v]) => upsertStatement(this.engine, 'quota_class', 'class_name', className, r, v, new Date()));
    await this.engine.atomic(function* (): TxBody<void> {
      for (const s of stmts) yield* exec(s.sql, s.params);
    });
  }
}
