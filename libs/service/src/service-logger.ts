import { join } from 'node:path';
import { createLogger, type Logger, zunVersion } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';

/** The logging options of `[DEFAULT]`; a full `ZunConf` satisfies it. */
export interface LoggingConf {
  DEFAULT: Pick<ZunConf['DEFAULT'], 'host' | 'debug' | 'log_dir' | 'log_file'>;
}

/**
 * Where a service logs, as oslo.log decides it: `log_file` (relative to `log_dir`
 * when both are set), else `<log_dir>/<binary>.log`, else `null` (stdout).
 */
export function logFilePath(d: LoggingConf['DEFAULT'], binary: string): string | null {
  if (d.log_file) return d.log_dir ? join(d.log_dir, d.log_file) : d.log_file;
  if (d.log_dir) return join(d.log_dir, `${binary}.log`);
  return null;
}

/**
 * The service's JSON logger; every line carries the service name, pid,
 * `[DEFAULT] host` and the release it runs (`version`), written to the file oslo.log would pick (or stdout).
 */
export function createServiceLogger(conf: LoggingConf, binary: string): Logger {
  const d = conf.DEFAULT;
  return createLogger({ name: binary, level: d.debug ? 'debug' : 'info', file: logFilePath(d, binary), base: { host: d.host, version: zunVersion() } });
}
