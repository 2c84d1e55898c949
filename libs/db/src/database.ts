import { createHash } from 'node:crypto';
import { assertSchemaCurrent } from './schema-check';
import { DataSource, type DataSourceOptions, type Logger as TypeormLogger, MigrationExecutor } from 'typeorm';
import { type Logger, silentLogger } from '@zun-ts/common';
import { DatabaseUnavailable, guardConnection } from './connection-loss';
import { type ServiceRegistry } from '@zun-ts/objects';
import { type ConnectionTarget, parseConnectionUrl, redactConnection } from './connection-url';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { type ComputeNodeRepository, SqlComputeNodeRepository } from './compute-node.repository';
import { type ContainerActionRepository, SqlContainerActionRepository } from './container-action.repository';
import { type ContainerRepository, SqlContainerRepository } from './container.repository';
import { type ExecInstanceRepository, TypeormExecInstanceRepository } from './exec-instance.repository';
import { type QuotaClassRepository, type QuotaRepository, SqlQuotaClassRepository, SqlQuotaRepository } from './quota.repository';
import { SqlImageRepository } from './image.repository';
import { type ImageRepository } from './image.types';
import { SqlNetworkRepository } from './network.repository';
import { SqlRegistryRepository } from './registry.repository';
import { type RegistryRepository } from './registry.types';
import { type NetworkRepository } from './network.types';
import { SqlEngine } from './sql-engine';
import { SqlVolumeRepository } from './volume.repository';
import { type VolumeRepository } from './volume.types';
import { DbServiceRegistry, TypeormZunServiceRepository, type ZunServiceRepository } from './zun-service.repository';


/** Options of {@link Database.open}. */
export interface DatabaseOptions {
  /** Receives connection problems and, with `debug`, every statement. */
  logger?: Logger;
  /** MariaDB connection pool size. @default 10 */
  poolSize?: number;
  /** Log every SQL statement at debug level (`[database] connection_debug`). @default false */
  debug?: boolean;
}

/** Name of the table TypeORM records applied migrations in. */
export const MIGRATIONS_TABLE = 'zun_migrations';

/** SQLite waits this long for another process's write lock before failing with SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** MariaDB advisory lock that serializes concurrent `migrate()` runs. */
const MIGRATE_LOCK = 'zun_schema_migrate';

class TypeormLogAdapter implements TypeormLogger {
  constructor(
    private readonly out: Logger,
    private readonly debug: boolean,
  ) {}
  logQuery(query: string, parameters?: unknown[]): void {
    if (this.debug) this.out.debug('sql', { query, parameters });
  }
  logQueryError(error: string | Error, query: string): void {
    // Callers handle or rethrow these (a duplicate key during upsert is expected), so keep them quiet.
    this.out.debug('sql failed', { query, error: error instanceof Error ? error.message : error });
  }
  logQuerySlow(time: number, query: string): void {
    this.out.warn('slow sql', { query, ms: time });
  }
  logSchemaBuild(message: string): void {
    this.out.debug('schema', { message });
  }
  logMigration(message: string): void {
    this.out.info('migration', { message });
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.out.warn('typeorm', { message });
    else this.out.debug('typeorm', { message });
  }
}

/** TypeORM options for a target; the tests build their own DataSource from these. */
export function dataSourceOptions(target: ConnectionTarget, opts: DatabaseOptions, logger: TypeormLogger): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logger,
  };
  if (target.kind === 'sqlite') {
    const inMemory = target.path === ':memory:';
    return {
      ...common,
      type: 'better-sqlite3',
      database: target.path,
      timeout: SQLITE_BUSY_TIMEOUT_MS,
      // WAL lets readers in other processes (api, conductor) proceed while one writes; TypeORM itself
      // turns foreign keys on.
      enableWAL: !inMemory,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
        // With WAL, NORMAL syncs at checkpoints instead of every commit: a power loss may drop the
        // last commits but never corrupts the file (the embedded, all-in-one database).
        if (!inMemory) db.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    host: target.host,
    port: target.port,
    username: target.user,
    password: target.password,
    database: target.database,
    ...(target.socketPath ? { socketPath: target.socketPath } : {}),
    charset: 'UTF8MB4_UNICODE_CI',
    // Datetimes are written and read as UTC whatever the server's time zone.
    timezone: 'Z',
    poolSize: opts.poolSize ?? 10,
  };
}

/** Connects a TypeORM DataSource as {@link Database.open} does (the tests use it to reach every table). */
export async function openDataSource(
  connection: string,
  opts: DatabaseOptions = {},
): Promise<{ ds: DataSource; kind: ConnectionTarget['kind'] }> {
  const target = parseConnectionUrl(connection);
  const log = (opts.logger ?? silentLogger()).child({ component: 'db' });
  const options = dataSourceOptions(target, opts, new TypeormLogAdapter(log, opts.debug ?? false));
  const connect = async (o: DataSourceOptions): Promise<DataSource> => {
    const ds = new DataSource(o);
    try {
      await ds.initialize();
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new DatabaseUnavailable(`cannot open database ${redactConnection(connection)}: ${why}`, { cause: e });
    }
    return ds;
  };
  let ds = await connect(options);
  if (options.type === 'mysql') {
    // TypeORM reads MariaDB's catalog differently (column defaults), so tell it which server this is.
    let version = '';
    try {
      version = ((await ds.query('SELECT VERSION() AS v')) as { v: string }[])[0]?.v ?? '';
    } catch (e) {
      await ds.destroy();
      throw new DatabaseUnavailable(`cannot query database ${redactConnection(connection)}: ${String(e)}`, { cause: e });
    }
    if (/mariadb/i.test(version)) {
      await ds.destroy();
      ds = await connect({ ...options, type: 'mariadb' });
    }
  }
  return { ds, kind: target.kind };
}

/**
 * The service's database: TypeORM over MariaDB (mysql2) or SQLite (better-sqlite3). The schema comes
 * only from the migrations ({@link Database.migrate}); nothing is synchronized.
 */
export class Database {
  /** The zun_service table. */
  readonly services: ZunServiceRepository;
  /** Registers and heartbeats services straight into zun_service. */
  readonly serviceRegistry: ServiceRegistry;
  /** The container table: scoped lookups, lists, conditional updates, quota usage. */
  readonly containers: ContainerRepository;
  /** Container actions and their events (idempotent under redelivery). */
  readonly actions: ContainerActionRepository;
  /** Compute nodes and the race-free resource claims against them. */
  readonly computeNodes: ComputeNodeRepository;
  /** Interactive exec sessions (their console token and relay address). */
  readonly execInstances: ExecInstanceRepository;
  /** Per-project quota overrides, usage, and the race-free create under quota. */
  readonly quotas: QuotaRepository;
  /** Quota classes (the `default` class holds every project's defaults). */
  readonly quotaClasses: QuotaClassRepository;
  /** Volumes and the mounts of containers (race-free reservations). */
  readonly volumes: VolumeRepository;
  /** Project networks and the ports of containers (race-free address allocation). */
  readonly networks: NetworkRepository;
  /** Images pulled onto compute hosts through `/v1/images`. */
  readonly images: ImageRepository;
  /** Private image registries of projects (passwords sealed). */
  readonly registries: RegistryRepository;

  private migrating: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ds: DataSource,
    /** Which engine is behind the connection. */
    readonly kind: ConnectionTarget['kind'],
  ) {
    // every repository answers a lost connection with DatabaseUnavailable (503, retryable), not a driver error
    const engine = SqlEngine.for(ds, kind);
    this.services = guardConnection(new TypeormZunServiceRepository(ds, engine));
    this.serviceRegistry = guardConnection(new DbServiceRegistry(this.services));
    const containers = new SqlContainerRepository(ds, engine);
    this.containers = guardConnection(containers);
    this.actions = guardConnection(new SqlContainerActionRepository(ds, engine));
    this.computeNodes = guardConnection(new SqlComputeNodeRepository(ds, engine));
    this.execInstances = guardConnection(new TypeormExecInstanceRepository(ds));
    this.quotas = guardConnection(new SqlQuotaRepository(ds, engine, containers));
    this.quotaClasses = guardConnection(new SqlQuotaClassRepository(ds, engine));
    this.volumes = guardConnection(new SqlVolumeRepository(ds, engine));
    this.networks = guardConnection(new SqlNetworkRepository(ds, engine));
    this.images = guardConnection(new SqlImageRepository(ds, engine));
    this.registries = guardConnection(new SqlRegistryRepository(ds, engine));
  }

  /**
   * Connects. `connection` is `[database] connection`: `sqlite:///abs/path`, `sqlite:///:memory:`,
   * `mysql://user:pass@host:port/db` or `mysql+pymysql://…` (create MariaDB databases as utf8mb4).
   * Throws ConfigError for a bad URL, {@link DatabaseUnavailable} when the database cannot be opened.
   */
  static async open(connection: string, opts: DatabaseOptions = {}): Promise<Database> {
    const { ds, kind } = await openDataSource(connection, opts);
    return new Database(ds, kind);
  }

  /** Names of all migrations this code knows, oldest first. */
  /**
   * Opens the database for a service: refuses (SchemaNotCurrent) a schema other than the newest
   * migration this code knows, since services never migrate on their own (`zun-manage db sync` does).
   */
  static async openAtHead(connection: string, opts: DatabaseOptions = {}): Promise<Database> {
    const db = await Database.open(connection, opts);
    try {
      assertSchemaCurrent(await db.version(), Database.migrationNames());
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }

  static migrationNames(): string[] {
    return MIGRATIONS.map((M) => new M().name);
  }

  /**
   * Applies pending migrations. Concurrent callers wait for each other: MariaDB through an advisory lock
   * (each migration then runs in its own transaction, though MariaDB commits DDL implicitly), SQLite by
   * running all of them in one `BEGIN IMMEDIATE` transaction, which also makes them all-or-nothing there.
   * Returns the names applied, [] when the schema is current.
   */
  migrate(): Promise<string[]> {
    const run = this.migrating.then(() => this.migrateLocked());
    this.migrating = run.catch(() => undefined);
    return run;
  }

  private async migrateLocked(): Promise<string[]> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    const pending = async (mode: 'each' | 'none'): Promise<string[]> => {
      const executor = new MigrationExecutor(this.ds, qr);
      executor.transaction = mode;
      return (await executor.executePendingMigrations()).map((m) => m.name);
    };
    try {
      if (this.kind === 'mysql') {
        const rows = (await qr.query('SELECT GET_LOCK(?, 300) AS got', [MIGRATE_LOCK])) as { got: number | null }[];
        if (Number(rows[0]?.got) !== 1) throw new DatabaseUnavailable('timed out waiting for another schema migration to finish');
        try {
          return await pending('each');
        } finally {
          await qr.query('SELECT RELEASE_LOCK(?)', [MIGRATE_LOCK]);
        }
      }
      await qr.query('BEGIN IMMEDIATE');
      try {
        const applied = await pending('none');
        await qr.query('COMMIT');
        return applied;
      } catch (e) {
        // A failed COMMIT may already have ended the transaction; the original error is the one to report.
        await qr.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      await qr.release();
    }
  }

  /** The newest applied migration, or null for an empty database. */
  async version(): Promise<string | null> {
    const qr = this.ds.createQueryRunner();
    try {
      if (!(await qr.hasTable(MIGRATIONS_TABLE))) return null;
      const row = (await this.ds
        .createQueryBuilder(qr)
        .select('m.name', 'name')
        .from(MIGRATIONS_TABLE, 'm')
        .orderBy('m.timestamp', 'DESC')
        .addOrderBy('m.id', 'DESC')
        .limit(1)
        .getRawOne()) as { name: string } | undefined;
      return row?.name ?? null;
    } finally {
      await qr.release();
    }
  }

  /**
   * Statements TypeORM would run to make the schema match the entities; [] when the migrations and the
   * entity definitions agree (checked by the tests on both engines).
   */
  async schemaDrift(): Promise<string[]> {
    const sql = await this.ds.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  }

  /**
   * How many rows each table of the entities holds, by table name: a cheap fingerprint of what was written
   * (tests compare it before and after requests that must write nothing).
   */
  async rowCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of this.tableNames()) {
      const rows = (await this.ds.query(`SELECT COUNT(*) AS n FROM ${this.quoted(table)}`)) as { n: number | string }[];
      out[table] = Number(rows[0]?.n ?? 0);
    }
    return out;
  }

  /**
   * A digest of each table's content, by table name (rows in a canonical order): equal digests mean nothing
   * was inserted, changed or removed (tests compare it around requests that must write nothing).
   */
  async contentDigests(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const table of this.tableNames()) {
      const rows = (await this.ds.query(`SELECT * FROM ${this.quoted(table)}`)) as Record<string, unknown>[];
      const lines = rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v))).sort();
      out[table] = createHash('sha256').update(lines.join('\n')).digest('hex');
    }
    return out;
  }

  private tableNames(): string[] {
    return [...new Set(this.ds.entityMetadatas.map((m) => m.tableName))].sort();
  }

  private quoted(table: string): string {
    return this.kind === 'sqlite' ? `"${table}"` : `\`${table}\``;
  }

  /** Closes the pool or file. */
  async close(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
