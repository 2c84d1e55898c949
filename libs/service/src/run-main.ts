import { ConfigError, ZunError } from '@zun-ts/common';

/** Exit status for a configuration that failed validation. */
export const EXIT_BAD_CONFIG = 2;
/** Exit status for any other start-up failure. */
export const EXIT_START_FAILED = 1;

/** Where {@link runMain} reports and how it exits; tests pass fakes. */
export interface MainIo {
  stderr(text: string): void;
  exit(code: number): void;
}

const processIo: MainIo = {
  stderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * Run a service's start-up and turn a failure into a clear message on stderr and a
 * non-zero exit: a bad configuration lists every problem (status 2), anything else
 * says why the service could not start (status 1). Start-up code runs before a
 * logger may exist, hence stderr.
 */
export function runMain(binary: string, main: () => Promise<void>, io: MainIo = processIo): Promise<void> {
  return main().catch((err: unknown) => {
    if (err instanceof ConfigError || (err instanceof Error && err.name === 'ConfigError')) {
      io.stderr(`${binary}: invalid configuration:\n${err.message}\n`);
      io.exit(EXIT_BAD_CONFIG);
      return;
    }
    const detail = err instanceof ZunError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.stderr(`${binary}: cannot start: ${detail}\n`);
    io.exit(EXIT_START_FAILED);
  });
}
