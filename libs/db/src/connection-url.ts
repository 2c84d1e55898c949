import { ConfigError } from '@zun-ts/common';

/** Where the database lives, parsed from `[database] connection`. */
export type ConnectionTarget =
  | { kind: 'sqlite'; /** Absolute file path, or `:memory:`. */ path: string }
  | {
      kind: 'mysql';
      host: string;
      /** @default 3306 */
      port: number;
      user: string;
      password: string;
      database: string;
      /** From a `unix_socket` query parameter, as PyMySQL accepts it. */
      socketPath?: string;
    };

const MYSQL_SCHEMES = new Set(['mysql', 'mysql+pymysql', 'mysql+mysqldb', 'mysql+mysqlconnector', 'mariadb', 'mariadb+pymysql']);

function bad(connection: string, why: string): ConfigError {
  return new ConfigError(`[database] connection: ${why} (${redactConnection(connection)})`);
}

/**
 * Parses an oslo.db style URL: `sqlite:///abs/path`, `sqlite:////abs/path`, `sqlite:///:memory:`,
 * `mysql://user:pass@host:port/db` and `mysql+pymysql://…`. Query parameters other than `unix_socket`
 * are ignored (the connection always uses utf8mb4). Throws {@link ConfigError}.
 */
export function parseConnectionUrl(connection: string): ConnectionTarget {
  const m = /^([a-z][a-z0-9+]*):\/\/(.*)$/i.exec(connection.trim());
  if (!m) throw bad(connection, 'not a URL like sqlite:///path or mysql+pymysql://user:pass@host/db');
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === 'sqlite') {
    const raw = decodeURIComponent(rest.split('?')[0]!);
    if (raw === '' || raw === '/' || raw === '/:memory:') return { kind: 'sqlite', path: ':memory:' };
    if (!raw.startsWith('/')) throw bad(connection, 'a sqlite URL needs three slashes and an absolute path');
    // SQLAlchemy spells an absolute path with four slashes; accept three as well.
    const path = raw.replace(/^\/+/, '/');
    if (path === '/') throw bad(connection, 'the sqlite path is empty');
    return { kind: 'sqlite', path };
  }
  if (!MYSQL_SCHEMES.has(scheme)) throw bad(connection, `unsupported database scheme "${scheme}" (use sqlite or mysql+pymysql)`);
  let url: URL;
  try {
    url = new URL(`mysql://${rest}`);
  } catch {
    throw bad(connection, 'malformed URL');
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw bad(connection, 'the URL must name one database, e.g. mysql+pymysql://zun:pass@host/zun');
  const socketPath = url.searchParams.get('unix_socket') ?? undefined;
  if (!url.hostname && !socketPath) throw bad(connection, 'the URL has no host');
  const port = url.port ? Number(url.port) : 3306;
  return {
    kind: 'mysql',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port,
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    database,
    ...(socketPath ? { socketPath } : {}),
  };
}

/** The URL with its password replaced by `***`, for logs and error messages. */
export function redactConnection(connection: string): string {
  const m = /^([a-z][a-z0-9+]*:\/\/)([^/?]*)(.*)$/is.exec(connection);
  if (!m) return connection;
  const authority = m[2]!;
  const at = authority.lastIndexOf('@');
  if (at < 0) return connection;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return connection;
  return `${m[1]}${userinfo.slice(0, colon)}:***${authority.slice(at)}${m[3]}`;
}
