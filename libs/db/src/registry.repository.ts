import { type DataSource } from 'typeorm';
import { Conflict, InvalidValue, isUuidLike, RegistryNotFound } from '@zun-ts/common';
import { type Registry } from '@zun-ts/objects';
import { ContainerEntity, RegistryEntity } from './entities';
import { pageSql, type PageOptions } from './pagination';
import { exec, insertOf, select, type SqlEngine, type SqlValue, TableCodec, type TxBody } from './sql-engine';
import { type NewRegistry, type RegistryFilters, type RegistryPatch, type RegistryRepository, type RegistryScope } from './registry.types';
import { isUniqueViolation } from './zun-service.repository';

/** 409: a registry some container still pulls from cannot be deleted (its `registry_id` would point nowhere). */
export class RegistryInUse extends Conflict {}

const PATCHABLE = new Set<string>(['name', 'domain', 'username', 'password']);
const FILTERS = new Set<string>(['name', 'domain', 'username', 'project_id', 'user_id']);

/** {@link RegistryRepository} in SQL shared by both engines. */
export class SqlRegistryRepository implements RegistryRepository {
  private readonly codec: TableCodec<Registry>;
  private readonly containers: TableCodec<unknown>;
  private readonly selectAll: string;
  private readonly forUpdate: string;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.codec = new TableCodec(ds, RegistryEntity);
    this.containers = new TableCodec(ds, ContainerEntity) as TableCodec<unknown>;
    this.selectAll = `SELECT ${this.codec.selectList} FROM ${this.codec.quotedTable}`;
    this.forUpdate = engine.kind === 'mysql' ? ' FOR UPDATE' : '';
  }

  private scopeSql(scope: RegistryScope, where: string[], params: SqlValue[]): void {
    if (scope.allProjects) return;
    if (scope.projectId === null) where.push('`project_id` IS NULL');
    else {
      where.push('`project_id` = ?');
      params.push(scope.projectId);
    }
  }

  private rows(where: string[], params: SqlValue[], tail = ''): Promise<Registry[]> {
    return this.engine.selectAs(this.codec, `${this.selectAll}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${tail}`, params);
  }

  async create(registry: NewRegistry): Promise<Registry> {
    const now = new Date();
    const row: Omit<Registry, 'id'> = {
      uuid: registry.uuid.toLowerCase(),
      name: registry.name ?? null,
      domain: registry.domain,
      username: registry.username ?? null,
      password: registry.password ?? null,
      project_id: registry.project_id,
      user_id: registry.user_id,
      created_at: now,
      updated_at: null,
    };
    if (!row.domain) throw new InvalidValue('A registry needs a domain.');
    const insert = insertOf(this.codec, row);
    return this.engine.atomic(function* (): TxBody<Registry> {
      try {
        const res = yield* exec(insert.sql, insert.params);
        return { id: res.insertId, ...row };
      } catch (e) {
        if (isUniqueViolation(e)) throw new Conflict(`A registry with UUID ${row.uuid} already exists.`);
        throw e;
      }
    });
  }

  async get(scope: RegistryScope, ident: string): Promise<Registry> {
    const byUuid = isUuidLike(ident);
    const where = [byUuid ? '`uuid` = ?' : '`name` = ?'];
    const params: SqlValue[] = [byUuid ? ident.toLowerCase() : ident];
    this.scopeSql(scope, where, params);
    const found = await this.rows(where, params, ' LIMIT 2');
    if (found.length > 1) throw new Conflict('Multiple registries exist with same name. Please use the registry uuid instead.');
    const [r] = found;
    if (!r) throw RegistryNotFound.of(ident);
    return r;
  }

  async getById(id: number): Promise<Registry | null> {
    const [r] = await this.rows(['`id` = ?'], [id]);
    return r ?? null;
  }

  async list(scope: RegistryScope, filters: RegistryFilters = {}, opts: PageOptions = {}): Promise<Registry[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    this.scopeSql(scope, where, params);
    for (const [key, value] of Object.entries(filters) as [string, string | null | undefined][]) {
      if (value === undefined) continue;
      if (!FILTERS.has(key)) throw new InvalidValue(`Unknown parameters: ${key}`);
      if (value === null) where.push(`\`${key}\` IS NULL`);
      else {
        where.push(`\`${key}\` = ?`);
        params.push(value);
      }
    }
    const page = await pageSql(this.engine, this.codec, opts, 'id');
    where.push(...page.where);
    params.push(...page.params);
    return this.rows(where, params, ` ${page.orderBy} ${page.limit}`);
  }

  async update(uuid: string, patch: RegistryPatch, expected?: { password: string | null }): Promise<Registry> {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [key, value] of Object.entries(patch) as [string, unknown][]) {
      if (value === undefined) continue;
      if (!PATCHABLE.has(key)) throw new InvalidValue(`Cannot update registry field: ${key}`);
      if (key === 'domain' && !value) throw new InvalidValue('A registry needs a domain.');
      sets.push(`\`${key}\` = ?`);
      params.push(this.codec.encode(key, value));
    }
    sets.push('`updated_at` = ?');
    params.push(this.codec.encode('updated_at', new Date()));
    const id = uuid.toLowerCase();
    params.push(id);
    let condition = '';
    if (expected) {
      condition = expected.password === null ? ' AND `password` IS NULL' : ' AND `password` = ?';
      if (expected.password !== null) params.push(expected.password);
    }
    const updateSql = `UPDATE ${this.codec.quotedTable} SET ${sets.join(', ')} WHERE \`uuid\` = ?${condition}`;
    const selectSql = `${this.selectAll} WHERE \`uuid\` = ?`;
    const codec = this.codec;
    return this.engine.atomic(function* (): TxBody<Registry> {
      const res = yield* exec(updateSql, params);
      const [row] = yield* select(selectSql, [id]);
      if (!row) throw RegistryNotFound.of(uuid);
      // Matched rows on both engines: 0 means the expected password was no longer the stored one.
      if (res.affected === 0) throw new Conflict(`Registry ${uuid} changed meanwhile; nothing was written.`);
      return codec.decode(row);
    });
  }

  /**
   * Removes the row, unless a container still names it: Zun's foreign key refuses that delete, and here it is a
   * 409 instead of a database error. The check and the delete are one transaction (the row is locked on MariaDB).
   */
  async destroy(uuid: string): Promise<void> {
    const id = uuid.toLowerCase();
    const selectSql = `${this.selectAll} WHERE \`uuid\` = ?${this.forUpdate}`;
    const usersSql = `SELECT \`uuid\` FROM ${this.containers.quotedTable} WHERE \`registry_id\` = ? LIMIT 1`;
    const deleteSql = `DELETE FROM ${this.codec.quotedTable} WHERE \`id\` = ?`;
    const codec = this.codec;
    await this.engine.atomic(function* (): TxBody<void> {
      const [row] = yield* select(selectSql, [id]);
      if (!row) throw RegistryNotFound.of(uuid);
      const r = codec.decode(row);
      const [user] = yield* select<{ uuid: string }>(usersSql, [r.id]);
      if (user) throw new RegistryInUse(`Registry ${r.uuid} is in use by container ${String(user.uuid)}.`);
      yield* exec(deleteSql, [r.id]);
    });
  }

  all(): Promise<Registry[]> {
    return this.rows([], [], ' ORDER BY `id`');
  }
}
