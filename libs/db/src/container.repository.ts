import { type ServiceIdentifier } from 'inversify';
import { type DataSource } from 'typeorm';
import { Conflict, ContainerNotFound, InvalidValue, isUuidLike } from '@zun-ts/common';
import { type Container, type ContainerPatch, CONTAINER_TYPES, type ContainerStatus, type ContainerType, type JsonObject, type TaskState } from '@zun-ts/objects';
import { releaseForContainerTx } from './claims';
import { type ContainerListOptions, type ContainerListQuery, filterSql, listSql, readSharedPage } from './container-list';
import { ContainerAlreadyExists, ContainerStateConflict } from './db-errors';
import { type ContainerBuildRequest, ContainerBuildRequestEntity, ContainerEntity } from './entities';
import { pageSql } from './pagination';
import { RevisionMemo } from './revision-memo';
import { exec, select, type SqlEngine, type SqlValue, TableCodec, type TxBody } from './sql-engine';
import { VolumeSql } from './volume-statements';
import { isUniqueViolation } from './zun-service.repository';

// The list filters and options live with the list queries; re-exported here, where callers have always found them.
export { CONTAINER_FILTER_KEYS, type ContainerFilterKey, type ContainerFilters, type ContainerListOptions } from './container-list';

/**
 * Whose containers a call may see. Non-admin callers pass their project; admins pass `allProjects: true` for
 * single-resource lookups (they see every project there) and for lists only when `all_projects` was asked.
 */
export interface ContainerScope {
  /** Compared with `project_id` unless `allProjects` (null matches rows without a project). */
  projectId: string | null;
  allProjects: boolean;
  /** Rows of which type; @default 0 (plain containers, what the container endpoints see); null = any type. */
  containerType?: ContainerType | null;
}

/** A new container: `uuid` and `status` are required, every other field has the column's default. */
export type NewContainer = Pick<Container, 'uuid' | 'status'> & Partial<Omit<Container, 'id' | 'uuid' | 'status'>>;

/** Conditions of a conditional update: the row must currently be in one of these states. */
export interface ContainerExpectation {
  status?: readonly ContainerStatus[];
  /** `null` in the list admits an idle container. */
  task_state?: readonly (TaskState | null)[];
}

/** Quota usage of a project (zun-api.md §8): rows of any status count. */
export interface ContainerUsage {
  containers: number;
  /** Sum of cpu, rounded to 3 decimals. */
  cpu: number;
  /** Sum of memory (MiB). */
  memory: number;
  /** Sum of disk (GiB). */
  disk: number;
}

/** The container table. */
export interface ContainerRepository {
  /** Inserts the row; throws {@link ContainerAlreadyExists} for a duplicate uuid. */
  create(container: NewContainer): Promise<Container>;
  /** Throws ContainerNotFound ("Container <uuid> could not be found.") when absent or outside the scope. */
  getByUuid(scope: ContainerScope, uuid: string): Promise<Container>;
  /** Throws ContainerNotFound, or Conflict (409) when several containers in scope share the name. */
  getByName(scope: ContainerScope, name: string): Promise<Container>;
  /** By uuid when `ident` looks like a UUID, else by name (zun-api.md §2.2). */
  getByIdent(scope: ContainerScope, ident: string): Promise<Container>;
  /** One page. Throws InvalidValue (bad sort key, direction, limit, filter) and MarkerNotFound. */
  list(scope: ContainerScope, opts?: ContainerListOptions): Promise<Container[]>;
  /**
   * The page {@link list} returns (same rows, order, filters, marker, limit and errors), read in two steps: the
   * page's `(id, revision)` first, then whole rows only for those this process has not decoded at that revision
   * (ADR 0024). The rows are FROZEN objects SHARED with every other caller and later calls (an unchanged row is
   * the same object each time): callers must not mutate them, nor anything in them. Use {@link list} for rows to change.
   */
  listShared(scope: ContainerScope, opts?: ContainerListOptions): Promise<readonly Readonly<Container>[]>;
  /**
   * Sets `patch` (and `updated_at`, and adds one to the row's revision) in one conditional UPDATE: with `expected`, only while the row's status and
   * task_state are among the expected ones, so of two racing actions exactly one wins. Returns the updated row;
   * throws {@link ContainerStateConflict} (409) when the condition failed, ContainerNotFound when there is no row.
   */
  update(uuid: string, patch: ContainerPatch, expected?: ContainerExpectation): Promise<Container>;
  /**
   * Deletes the row (and its actions, claims, volume mappings…), releasing an active resource claim and its
   * mounts first (VolumeRepository.releaseMounts). Throws ContainerNotFound.
   */
  destroy(uuid: string): Promise<void>;
  /** Usage counted over the project's rows of `containerType` (default plain containers). */
  countUsage(projectId: string, containerType?: ContainerType): Promise<ContainerUsage>;
  /** The build request stored with the container (QuotaRepository.createContainer), or null when it has none. */
  buildRequest(uuid: string): Promise<JsonObject | null>;
}

/** Injection token of the {@link ContainerRepository}. */
export const CONTAINER_REPOSITORY: ServiceIdentifier<ContainerRepository> = Symbol.for('zun.ContainerRepository');

const NOT_PATCHABLE = new Set(['id', 'uuid', 'created_at']);

const DEFAULTS: Omit<Container, 'id' | 'uuid' | 'status' | 'created_at'> = {
  container_type: CONTAINER_TYPES.container,
  name: null,
  project_id: null,
  user_id: null,
  image: null,
  image_driver: null,
  image_pull_policy: null,
  registry_id: null,
  cpu: null,
  cpu_policy: 'shared',
  cpuset: null,
  memory: null,
  disk: 0,
  command: null,
  entrypoint: null,
  status_reason: null,
  status_detail: null,
  task_state: null,
  environment: null,
  workdir: null,
  ports: null,
  exposed_ports: null,
  published_ports: null,
  hostname: null,
  labels: null,
  addresses: null,
  host: null,
  restart_policy: null,
  interactive: false,
  tty: false,
  auto_remove: false,
  auto_heal: false,
  privileged: false,
  runtime: null,
  healthcheck: null,
  security_groups: null,
  container_id: null,
  websocket_url: null,
  websocket_token: null,
  capsule_id: null,
  started_at: null,
  annotations: null,
  cni_metadata: null,
  updated_at: null,
};

function notFound(ident: string): ContainerNotFound {
  return new ContainerNotFound(`Container ${ident} could not be found.`);
}

/** {@link ContainerRepository} in SQL shared by both engines. */
export class SqlContainerRepository implements ContainerRepository {
  private readonly codec: TableCodec<Container>;
  private readonly buildRequestCodec: TableCodec<ContainerBuildRequest>;
  private readonly selectFrom: string;
  private readonly volumeSql: VolumeSql;
  /** Rows decoded by {@link listShared}, by id and revision. */
  private readonly shared = new RevisionMemo<Container>();

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.codec = new TableCodec<Container>(ds, ContainerEntity, { omit: ['revision'] });
    this.buildRequestCodec = new TableCodec(ds, ContainerBuildRequestEntity);
    this.volumeSql = new VolumeSql(ds, engine.kind);
    this.selectFrom = `SELECT ${this.codec.selectList} FROM ${this.codec.quotedTable}`;
  }

  private scopeSql(scope: ContainerScope, where: string[], params: SqlValue[]): void {
    const type = scope.containerType === undefined ? CONTAINER_TYPES.container : scope.containerType;
    if (type !== null) {
      // Nearly every row has the same type, but SQLite (without statistics) rates that index as selective as
      // project_id's and walked it, reading every project's rows to list one project's. The unary `+` keeps the
      // term out of index choice there, so the project (or host, or uuid) index is used; MariaDB plans from statistics.
      where.push(this.engine.kind === 'sqlite' ? '+`container_type` = ?' : '`container_type` = ?');
      params.push(type);
    }
    if (!scope.allProjects) {
      if (scope.projectId === null) where.push('`project_id` IS NULL');
      else {
        where.push('`project_id` = ?');
        params.push(scope.projectId);
      }
    }
  }

  async create(container: NewContainer): Promise<Container> {
    const insert = this.insertStatement(container);
    try {
      const res = await this.engine.run(insert.sql, insert.params);
      return { id: res.insertId, ...insert.row };
    } catch (e) {
      if (isUniqueViolation(e)) throw new ContainerAlreadyExists(container.uuid);
      throw e;
    }
  }

  /** The INSERT of a new container (defaults filled in) and the row it writes, for transaction bodies. */
  insertStatement(container: NewContainer): { sql: string; params: SqlValue[]; row: Omit<Container, 'id'> } {
    const row: Omit<Container, 'id'> = { ...DEFAULTS, created_at: new Date(), uuid: container.uuid, status: container.status };
    for (const [key, value] of Object.entries(container) as [string, unknown][]) {
      if (value === undefined) continue; // the default stays
      if (!this.codec.column(key) || key === 'id') throw new InvalidValue(`Unknown container field: ${key}`);
      (row as Record<string, unknown>)[key] = value;
    }
    const keys = Object.keys(row) as (keyof typeof row)[];
    const sql = `INSERT INTO ${this.codec.quotedTable} (${keys.map((k) => `\`${k}\``).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`;
    return { sql, params: keys.map((k) => this.codec.encode(k, row[k])), row };
  }

  async getByUuid(scope: ContainerScope, uuid: string): Promise<Container> {
    const where = ['`uuid` = ?'];
    // Stored uuids are lowercase; normalise so lookups behave alike on case-sensitive SQLite and MariaDB.
    const params: SqlValue[] = [uuid.toLowerCase()];
    this.scopeSql(scope, where, params);
    const [c] = await this.engine.selectAs(this.codec, `${this.selectFrom} WHERE ${where.join(' AND ')}`, params);
    if (!c) throw notFound(uuid);
    return c;
  }

  async getByName(scope: ContainerScope, name: string): Promise<Container> {
    const where = ['`name` = ?'];
    const params: SqlValue[] = [name];
    this.scopeSql(scope, where, params);
    const found = await this.engine.selectAs(this.codec, `${this.selectFrom} WHERE ${where.join(' AND ')} LIMIT 2`, params);
    if (found.length > 1) throw new Conflict('Multiple containers exist with same name. Please use the container uuid instead.');
    const [c] = found;
    if (!c) throw notFound(name);
    return c;
  }

  getByIdent(scope: ContainerScope, ident: string): Promise<Container> {
    return isUuidLike(ident) ? this.getByUuid(scope, ident) : this.getByName(scope, ident);
  }

  /** The WHERE, ORDER BY and LIMIT of a list (both {@link list} and {@link listShared} run it). */
  private async listQuery(scope: ContainerScope, opts: ContainerListOptions): Promise<ContainerListQuery> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    this.scopeSql(scope, where, params);
    filterSql(this.codec, opts.filters ?? {}, where, params);
    const page = await pageSql(this.engine, this.codec, opts, 'id');
    return { where: [...where, ...page.where], params: [...params, ...page.params], orderBy: page.orderBy, limit: page.limit };
  }

  async list(scope: ContainerScope, opts: ContainerListOptions = {}): Promise<Container[]> {
    const q = await this.listQuery(scope, opts);
    return this.engine.selectAs(this.codec, listSql(this.codec, this.codec.selectList, q), q.params);
  }

  async listShared(scope: ContainerScope, opts: ContainerListOptions = {}): Promise<readonly Readonly<Container>[]> {
    const q = await this.listQuery(scope, opts);
    // A row deleted or written between the page's two reads: the page is read again the plain way.
    return (await readSharedPage(this.engine, this.codec, this.shared, q)) ?? this.list(scope, opts);
  }

  async update(uuid: string, patch: ContainerPatch, expected: ContainerExpectation = {}): Promise<Container> {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [key, value] of Object.entries(patch) as [string, unknown][]) {
      if (value === undefined || key === 'updated_at') continue;
      if (NOT_PATCHABLE.has(key) || !this.codec.column(key)) throw new InvalidValue(`Cannot update container field: ${key}`);
      sets.push(`\`${key}\` = ?`);
      params.push(this.codec.encode(key, value));
    }
    sets.push('`updated_at` = ?');
    params.push(this.codec.encode('updated_at', patch.updated_at ?? new Date()));
    // What listShared compares (ADR 0024): updated_at cannot tell two writes within one millisecond apart.
    sets.push('`revision` = `revision` + 1');
    const where = ['`uuid` = ?'];
    params.push(uuid);
    if (expected.status) {
      if (expected.status.length) {
        where.push(`\`status\` IN (${expected.status.map(() => '?').join(', ')})`);
        params.push(...expected.status);
      } else where.push('1 = 0');
    }
    if (expected.task_state) {
      const states = expected.task_state.filter((s): s is TaskState => s !== null);
      const parts: string[] = [];
      if (states.length) {
        parts.push(`\`task_state\` IN (${states.map(() => '?').join(', ')})`);
        params.push(...states);
      }
      if (states.length < expected.task_state.length) parts.push('`task_state` IS NULL');
      where.push(parts.length ? `(${parts.join(' OR ')})` : '1 = 0');
    }
    const updateSql = `UPDATE ${this.codec.quotedTable} SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`;
    const selectSql = `${this.selectFrom} WHERE \`uuid\` = ?`;
    const codec = this.codec;
    return this.engine.atomic(function* (): TxBody<Container> {
      const res = yield* exec(updateSql, params);
      const [row] = yield* select(selectSql, [uuid]);
      if (!row) throw notFound(uuid);
      const c = codec.decode(row);
      // Matched rows, not changed rows, on both engines: 0 means the condition failed.
      if (res.affected === 0) throw ContainerStateConflict.of(uuid, { status: c.status, task_state: c.task_state });
      return c;
    });
  }

  async destroy(uuid: string): Promise<void> {
    const table = this.codec.quotedTable;
    const volumes = this.volumeSql;
    return this.engine.atomic(function* (): TxBody<void> {
      const now = new Date();
      yield* releaseForContainerTx(uuid, now);
      // Its mapping rows would go with the row (ON DELETE CASCADE) but leave their volumes in-use.
      yield* volumes.releaseMountsTx(uuid, now);
      const res = yield* exec(`DELETE FROM ${table} WHERE \`uuid\` = ?`, [uuid]);
      if (res.affected === 0) throw notFound(uuid);
    });
  }

  async buildRequest(uuid: string): Promise<JsonObject | null> {
    const c = this.buildRequestCodec;
    const [row] = await this.engine.selectAs(c, `SELECT ${c.selectList} FROM ${c.quotedTable} WHERE \`container_uuid\` = ?`, [uuid.toLowerCase()]);
    return row?.request ?? null;
  }

  async countUsage(projectId: string, containerType: ContainerType = CONTAINER_TYPES.container): Promise<ContainerUsage> {
    const q = this.usageStatement(projectId, containerType);
    return usageFromRow((await this.engine.select(q.sql, q.params))[0]);
  }

  /** The SELECT that counts a project's usage (one row), for transaction bodies; read it with {@link usageFromRow}. */
  usageStatement(projectId: string, containerType: ContainerType | readonly ContainerType[] = CONTAINER_TYPES.container): { sql: string; params: SqlValue[] } {
    const types: readonly ContainerType[] = Array.isArray(containerType) ? containerType : [containerType as ContainerType];
    // memory is a string column holding MiB digits; both engines read its numeric prefix.
    const asNumber = this.engine.kind === 'sqlite' ? 'REAL' : 'DOUBLE';
    const typeColumn = this.engine.kind === 'sqlite' ? '+`container_type`' : '`container_type`'; // see scopeSql
    return {
      sql:
        `SELECT COUNT(*) AS containers, SUM(\`cpu\`) AS cpu, SUM(CAST(\`memory\` AS ${asNumber})) AS memory, SUM(\`disk\`) AS disk ` +
        `FROM ${this.codec.quotedTable} WHERE \`project_id\` = ? AND ${typeColumn} IN (${types.map(() => '?').join(', ')})`,
      params: [projectId, ...types],
    };
  }
}

/** A usage row of {@link SqlContainerRepository.usageStatement} as numbers (cpu rounded to 3 decimals). */
export function usageFromRow(row: Record<string, unknown> | undefined): ContainerUsage {
  const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
  return {
    containers: num(row?.['containers']),
    cpu: Math.round(num(row?.['cpu']) * 1000) / 1000,
    memory: num(row?.['memory']),
    disk: num(row?.['disk']),
  };
}
