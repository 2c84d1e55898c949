import pino from 'pino';

/** Structured logger; messages are short constants, values go in `meta`. */
export interface Logger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

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
  /** Write to this file instead of stdout. */
  file?: string | null;
}

/** JSON lines (pino) to stdout or a file. */
export function createLogger(opts: LoggerOptions): Logger {
  const dest = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: false }) : pino.destination(1);
  return new PinoLogger(pino({ name: opts.name, level: opts.level ?? 'info', base: { pid: process.pid } }, dest));
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  const l: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => l };
  return l;
}
