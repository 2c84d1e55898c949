import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ServiceIdentifier } from 'inversify';
import pino from 'pino';

/** Structured logger; messages are short constants, values go in `meta`. */
export interface Logger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

/** Injection token of the process's {@link Logger}. */
export const LOGGER: ServiceIdentifier<Logger> = Symbol.for('zun.Logger');

class PinoLogger implements Logger {
  constructor(private readonly p: pino.Logger) {}
  debug(msg: string, meta?: Record<string, unknown>): void { this.p.debug(meta ?? {}, msg); }
  info(msg: string, meta?: Record<string, unknown>): void { this.p.info(meta ?? {}, msg); }
  warn(msg: string, meta?: Record<string, unknown>): void { this.p.warn(meta ?? {}, msg); }
  error(msg: string, meta?: Record<string, unknown>): void { this.p.error(meta ?? {}, msg); }
  child(meta: Record<string, unknown>): Logger { return new PinoLogger(this.p.child(meta)); }
}

export interface LoggerOptions {
  /** Service name, e.g. `zun-api`. */
  name: string;
  /** @default 'info' ('debug' when `debug` is set) */
  level?: string;
  /** Append to this file instead of writing to stdout. */
  file?: string | null;
  /** Fields carried on every line (pid is always there). */
  base?: Record<string, unknown>;
}

/**
 * JSON lines (pino) to stdout or a file. The file is opened synchronously, so a bad
 * path fails start-up with a clear error, and lines are written as they are logged:
 * a process that exits right after logging (a failed start, a signal) keeps them
 * in order.
 */
export function createLogger(opts: LoggerOptions): Logger {
  let fd = 1;
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    fd = openSync(opts.file, 'a', 0o640);
  }
  const base = { pid: process.pid, ...opts.base };
  return new PinoLogger(pino({ name: opts.name, level: opts.level ?? 'info', base }, pino.destination({ dest: fd, sync: true })));
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  const l: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => l };
  return l;
}
