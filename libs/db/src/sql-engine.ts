import type BetterSqlite3 from 'better-sqlite3';
import { type DataSource, type EntitySchema, QueryFailedError, type QueryRunner } from 'typeorm';
import { type ConnectionTarget } from './connection-url';

// The repositories that need atomic read-check-write sequences (conditional updates, resource claims) write
// them once, as generator "transaction bodies" that yield SQL statements, and this engine runs them:
//  - SQLite: synchronously inside one better-sqlite3 `BEGIN IMMEDIATE` transaction. TypeORM shares a single
//    connection between every caller of the process, so an async transaction there would interleave with
//    other callers' statements; a synchronous one cannot. Other processes wait on SQLite's file lock.
//  - MariaDB: on one pooled connection inside a READ COMMITTED transaction, run again from the start when
//    InnoDB picks it as a deadlock victim.
// The SQL is shared: `?` placeholders and backtick-quoted identifiers work on both engines.

/** A value bound to a `?` placeholder (already encoded for storage). */
export type SqlValue = string | number | null;
/** A raw result row, column name → stored value. */
export type SqlRow = Record<string, unknown>;

/** One statement of a transaction body. */
export interface SqlStatement {
  sql: string;
  params: readonly SqlValue[];
}

/** What a statement produced: rows for a SELECT, affected (matched) rows and the new id for writes. */
export interface SqlOutcome {
  rows: SqlRow[];
  affected: number;
  insertId: number;
}

/** A transaction body: yields statements, receives their outcomes, returns the result. */
export type TxBody<T> = Generator<SqlStatement, T, SqlOutcome>;

/** `yield* exec(sql, params)` inside a body runs a statement and gives its outcome. */
export function* exec(sql: string, params: readonly SqlValue[] = []): Generator<SqlStatement, SqlOutcome, SqlOutcome> {
  return yield { sql, params };
}

/** `yield* select<T>(sql, params)` inside a body runs a SELECT and gives its rows. */
export function* select<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Generator<SqlStatement, T[], SqlOutcome> {
  const out = yield { sql, params };
  return out.rows as T[];
}

/** Thrown by {@link rollback}; carries the value the transaction returns after rolling back. */
class RollbackSignal {
  constructor(readonly value: unknown) {}
}

/** Ends the body: the transaction is rolled back and `atomic()` returns `value`. */
export function rollback(value: unknown): never {
  throw new RollbackSignal(value);
}

/** The driver error behind a TypeORM or raw driver error. */
function driverCode(e: unknown): unknown {
  const driverError: unknown = e instanceof QueryFailedError ? e.driverError : e;
  return (driverError as { code?: unknown } | null)?.code;
}

/** A foreign key pointing at a missing row, on either engine. */
export function isForeignKeyViolation(e: unknown): boolean {
  const code = driverCode(e);
  return code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

function isRetryableLock(e: unknown): boolean {
  const code = driverCode(e);
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/** How many times a MariaDB transaction chosen as a deadlock victim is run again. */
const DEADLOCK_ATTEMPTS = 8;

/** Runs statements and transaction bodies on the Database's connection(s). */
export abstract class SqlEngine {
  /** Picks the implementation for the engine behind `ds`. */
  static for(ds: DataSource, kind: ConnectionTarget['kind']): SqlEngine {
    return kind === 'sqlite' ? new SqliteEngine(ds) : new MariadbEngine(ds);
  }

  /** Which engine this is, for the few statements that differ. */
  abstract readonly kind: ConnectionTarget['kind'];

  /** One statement in autocommit mode. */
  abstract run(sql: string, params?: readonly SqlValue[]): Promise<SqlOutcome>;

  /** Runs `body` as one transaction; a statement error is thrown into the body, which may catch it. */
  abstract atomic<T>(body: () => TxBody<T>): Promise<T>;

  /** Rows of a SELECT in autocommit mode. */
  async select<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.run(sql, params)).rows as T[];
  }

  /**
   * The fast read path: a SELECT whose column list is exactly `codec.selectList`, decoded straight into domain
   * objects (on SQLite without building an intermediate row object per row).
   */
  abstract selectAs<T>(codec: TableCodec<T>, sql: string, params?: readonly SqlValue[]): Promise<T[]>;
}

class SqliteEngine extends SqlEngine {
  readonly kind = 'sqlite' as const;
  private readonly cache = new Map<string, BetterSqlite3.Statement>();
  /** Statements in raw mode (rows as arrays), for {@link SqlEngine.selectAs}. */
  private readonly tupleCache = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly ds: DataSource) {
    super();
  }

  private get raw(): BetterSqlite3.Database {
    // TypeORM keeps the better-sqlite3 handle here (typed `any` upstream).
    return (this.ds.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  }

  private step(s: SqlStatement): SqlOutcome {
    this.ds.logger.logQuery(s.sql, [...s.params]);
    let stmt = this.cache.get(s.sql);
    if (!stmt) {
      stmt = this.raw.prepare(s.sql);
      if (this.cache.size > 200) this.cache.clear();
      this.cache.set(s.sql, stmt);
    }
    try {
      if (stmt.reader) return { rows: stmt.all(...s.params) as SqlRow[], affected: 0, insertId: 0 };
      const r = stmt.run(...s.params);
      return { rows: [], affected: r.changes, insertId: Number(r.lastInsertRowid) };
    } catch (e) {
      this.ds.logger.logQueryError(e instanceof Error ? e : String(e), s.sql, [...s.params]);
      throw e;
    }
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<SqlOutcome> {
    try {
      return Promise.resolve(this.step({ sql, params }));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  selectAs<T>(codec: TableCodec<T>, sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    try {
      this.ds.logger.logQuery(sql, [...params]);
      let stmt = this.tupleCache.get(sql);
      if (!stmt) {
        stmt = this.raw.prepare(sql).raw(true);
        if (this.tupleCache.size > 200) this.tupleCache.clear();
        this.tupleCache.set(sql, stmt);
      }
      const tuples = stmt.all(...params) as unknown[][];
      const out = new Array<T>(tuples.length);
      for (let i = 0; i < tuples.length; i++) out[i] = codec.decodeTuple(tuples[i]!);
      return Promise.resolve(out);
    } catch (e) {
      this.ds.logger.logQueryError(e instanceof Error ? e : String(e), sql, [...params]);
      return Promise.reject(e as Error);
    }
  }

  atomic<T>(body: () => TxBody<T>): Promise<T> {
    try {
      const tx = this.raw.transaction((): T => {
        const gen = body();
        let next = gen.next();
        while (!next.done) {
          let out: SqlOutcome;
          try {
            out = this.step(next.value);
          } catch (e) {
            next = gen.throw(e);
            continue;
          }
          next = gen.next(out);
        }
        return next.value;
      });
      return Promise.resolve(tx.immediate());
    } catch (e) {
      if (e instanceof RollbackSignal) return Promise.resolve(e.value as T);
      return Promise.reject(e as Error);
    }
  }
}

class MariadbEngine extends SqlEngine {
  readonly kind = 'mysql' as const;

  constructor(private readonly ds: DataSource) {
    super();
  }

  private static async step(qr: QueryRunner, s: SqlStatement): Promise<SqlOutcome> {
    const res = await qr.query(s.sql, [...s.params], true);
    const raw = res.raw as unknown;
    if (Array.isArray(raw)) return { rows: raw as SqlRow[], affected: 0, insertId: 0 };
    const header = raw as { affectedRows?: number; insertId?: number };
    return { rows: [], affected: header.affectedRows ?? res.affected ?? 0, insertId: header.insertId ?? 0 };
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<SqlOutcome> {
    const qr = this.ds.createQueryRunner();
    try {
      return await MariadbEngine.step(qr, { sql, params });
    } finally {
      await qr.release();
    }
  }

  async selectAs<T>(codec: TableCodec<T>, sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const rows = await this.select(sql, params);
    return rows.map((r) => codec.decode(r));
  }

  async atomic<T>(body: () => TxBody<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const qr = this.ds.createQueryRunner();
      try {
        await qr.connect();
        // Each statement sees what others committed before it (a body that lost a duplicate-key race then
        // reads the winner's row), and fewer gap locks mean fewer deadlocks.
        await qr.startTransaction('READ COMMITTED');
        let committed = false;
        try {
          const gen = body();
          let next = gen.next();
          while (!next.done) {
            let out: SqlOutcome;
            try {
              out = await MariadbEngine.step(qr, next.value);
            } catch (e) {
              // A deadlock has already rolled the whole transaction back: start over rather than let the body go on.
              if (isRetryableLock(e)) throw e;
              next = gen.throw(e);
              continue;
            }
            next = gen.next(out);
          }
          await qr.commitTransaction();
          committed = true;
          return next.value;
        } finally {
          if (!committed && qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
        }
      } catch (e) {
        if (e instanceof RollbackSignal) return e.value as T;
        if (isRetryableLock(e) && attempt < DEADLOCK_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5 * attempt)));
          continue;
        }
        throw e;
      } finally {
        await qr.release();
      }
    }
  }
}

/** How a column is stored, which decides how values are encoded and decoded. */
type ColumnKind = 'json' | 'bool' | 'date' | 'number' | 'string';

/** One column of a {@link TableCodec}. */
export interface CodecColumn {
  /** Property (and column) name. */
  name: string;
  kind: ColumnKind;
  /** `name` quoted for SQL. */
  quoted: string;
}

/** SQLite stores datetimes as TypeORM writes them: `YYYY-MM-DD HH:MM:SS.mmm` in UTC; MariaDB accepts the same. */
export function sqlDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

function parseDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  // SQLite text without a zone is UTC.
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}

type Decoders = Record<ColumnKind, (v: unknown) => unknown>;

/** Stored value → domain value, per column kind; NULL stays null. */
const DECODERS: Decoders = {
  json: (v) => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as unknown) : v),
  bool: (v) => (v === null || v === undefined ? null : Number(v) !== 0),
  date: (v) => parseDate(v),
  number: (v) => (v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v)),
  string: (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v)),
};

/** Quotes an identifier for both engines. */
export function quoteId(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** Options of a {@link TableCodec}. */
export interface TableCodecOptions {
  /** Columns left out of the decoded objects (e.g. container.revision): still in `selectList`, unknown to `column()`. */
  omit?: readonly string[];
  /** The only columns of this codec (its `selectList` and decoded objects), in the table's order: a narrow read. */
  only?: readonly string[];
}

/**
 * Converts a table's rows between domain objects and stored values, from the entity's column metadata: JSON
 * documents are parsed once per row, booleans read back from 0/1, datetimes as UTC. Used by the raw-SQL paths,
 * which skip TypeORM's hydration for speed.
 */
export class TableCodec<T> {
  readonly table: string;
  readonly quotedTable: string;
  readonly columns: readonly CodecColumn[];
  /** `\`a\`, \`b\`, …` — every column, for SELECT lists. */
  readonly selectList: string;
  private readonly byName: Map<string, CodecColumn>;
  private readonly fromRow: (row: SqlRow, d: Decoders) => unknown;
  private readonly fromTuple: (values: readonly unknown[], d: Decoders) => unknown;

  constructor(ds: DataSource, entity: EntitySchema<T>, opts: TableCodecOptions = {}) {
    const meta = ds.getMetadata(entity);
    const omit = new Set(opts.omit ?? []);
    this.table = meta.tableName;
    this.quotedTable = quoteId(meta.tableName);
    const only = opts.only ? new Set(opts.only) : null;
    this.columns = meta.columns.filter((c) => !only || only.has(c.databaseName)).map((c) => {
      let kind: ColumnKind = 'string';
      if (c.transformer) kind = 'json';
      else if (c.type === 'boolean') kind = 'bool';
      else if (c.type === 'datetime') kind = 'date';
      else if (c.type === 'integer' || c.type === 'double') kind = 'number';
      return { name: c.databaseName, kind, quoted: quoteId(c.databaseName) };
    });
    this.byName = new Map(this.columns.filter((c) => !omit.has(c.name)).map((c) => [c.name, c]));
    this.selectList = this.columns.map((c) => c.quoted).join(', ');
    // Lists decode thousands of rows: build each object as one literal (a single hidden class, no per-column
    // dispatch), compiled once per table from the trusted entity metadata. Over 2x faster than a loop.
    const kept = this.columns.map((c, i) => ({ c, i })).filter(({ c }) => !omit.has(c.name));
    if (kept.every(({ c }) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(c.name))) {
      const literal = (read: (name: string, i: number) => string): string =>
        `return {${kept.map(({ c, i }) => `${c.name}: d.${c.kind}(${read(c.name, i)})`).join(', ')}};`;
      this.fromRow = new Function('r', 'd', literal((n) => `r.${n}`)) as (row: SqlRow, d: Decoders) => unknown;
      this.fromTuple = new Function('t', 'd', literal((_n, i) => `t[${i}]`)) as (values: readonly unknown[], d: Decoders) => unknown;
    } else {
      this.fromRow = (row, d) => Object.fromEntries(kept.map(({ c }) => [c.name, d[c.kind](row[c.name])]));
      this.fromTuple = (values, d) => Object.fromEntries(kept.map(({ c, i }) => [c.name, d[c.kind](values[i])]));
    }
  }

  /**
   * A codec of `fields` only (see {@link TableCodecOptions.only}), typed as what it decodes: rows with just those
   * columns, read as fast as whole ones.
   */
  static of<T, K extends keyof T & string>(ds: DataSource, entity: EntitySchema<T>, fields: readonly K[]): TableCodec<Pick<T, K>> {
    return new TableCodec(ds, entity, { only: fields }) as unknown as TableCodec<Pick<T, K>>;
  }

  /** The column, or undefined when the table has none of that name (or it is omitted from the decoded objects). */
  column(name: string): CodecColumn | undefined {
    return this.byName.get(name);
  }

  /** A stored row as a domain object. */
  decode(row: SqlRow): T {
    return this.fromRow(row, DECODERS) as T;
  }

  /** A row read as an array in the order of {@link selectList}. */
  decodeTuple(values: readonly unknown[]): T {
    return this.fromTuple(values, DECODERS) as T;
  }

  /** A domain value as the value bound for column `name`. */
  encode(name: string, value: unknown): SqlValue {
    const c = this.byName.get(name);
    if (value === null || value === undefined) return null;
    switch (c?.kind) {
      case 'json':
        return JSON.stringify(value);
      case 'bool':
        return value ? 1 : 0;
      case 'date':
        return sqlDate(value instanceof Date ? value : new Date(String(value)));
      case 'number':
        return typeof value === 'number' ? value : Number(value);
      case 'string':
      case undefined:
        if (typeof value === 'boolean') return value ? 1 : 0;
        return typeof value === 'number' ? value : String(value);
    }
  }
}

/** INSERT of a whole row of `codec`'s table. */
export function insertOf<T>(codec: TableCodec<T>, row: object): SqlStatement {
  const entries = Object.entries(row) as [string, unknown][];
  return {
    sql: `INSERT INTO ${codec.quotedTable} (${entries.map(([k]) => quoteId(k)).join(', ')}) VALUES (${entries.map(() => '?').join(', ')})`,
    params: entries.map(([k, v]) => codec.encode(k, v)),
  };
}
