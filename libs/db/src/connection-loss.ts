import { ServiceUnavailable } from '@zun-ts/common';

/** The database could not be reached or opened, or the connection went away. Retryable: the server may come back. */
export class DatabaseUnavailable extends ServiceUnavailable {}

/** Error codes of a database that is not there (any more): the socket's, and mysql2's for a lost connection. */
const LOSS_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);
/** mysql2's words for a connection it closed after a fatal error, and its pool's after close. */
const LOSS_MESSAGES = [/can't add new command when connection is in closed state/i, /^connection lost/i, /pool is closed/i];

interface ErrorLike {
  code?: unknown;
  fatal?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** The code of the connection loss behind `err` (TypeORM's QueryFailedError keeps the driver's as driverError), or null. */
export function connectionLossCode(err: unknown): string | null {
  const seen = new Set<unknown>();
  for (let e: unknown = err; typeof e === 'object' && e !== null && !seen.has(e); ) {
    seen.add(e);
    const x = e as ErrorLike;
    if (typeof x.code === 'string' && LOSS_CODES.has(x.code)) return x.code;
    if (x.fatal === true) return typeof x.code === 'string' ? x.code : 'FATAL';
    if (typeof x.message === 'string' && LOSS_MESSAGES.some((m) => m.test(x.message as string))) return 'CONNECTION_CLOSED';
    e = x.driverError ?? x.cause;
  }
  return null;
}

/** A connection loss as DatabaseUnavailable (503: the client may try again); any other error as it is. */
export function mapConnectionLoss(err: unknown): unknown {
  if (err instanceof DatabaseUnavailable) return err;
  const code = connectionLossCode(err);
  return code === null ? err : new DatabaseUnavailable(`The database is unavailable (${code}); retry later.`, { cause: err });
}

/**
 * The repository with every method's connection losses mapped to DatabaseUnavailable, so that a database that
 * goes away under a running service answers 503 (and a bus handler's message is retried) instead of a 500.
 */
export function guardConnection<T extends object>(repo: T): T {
  // one wrapper per method, made on first use: repositories are on every request's path
  const wrappers = new Map<PropertyKey, { of: unknown; guarded: (...args: unknown[]) => unknown }>();
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const known = wrappers.get(prop);
      if (known?.of === value) return known.guarded;
      const guarded = function guarded(this: unknown, ...args: unknown[]): unknown {
        let out: unknown;
        try {
          out = Reflect.apply(value as (...a: unknown[]) => unknown, this === receiver ? target : this, args);
        } catch (err) {
          throw mapConnectionLoss(err);
        }
        if (out instanceof Promise) return out.catch((err: unknown) => Promise.reject(mapConnectionLoss(err)));
        return out;
      };
      wrappers.set(prop, { of: value, guarded });
      return guarded;
    },
  });
}
