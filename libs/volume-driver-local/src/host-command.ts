import { execFile } from 'node:child_process';

/** Output of a host command that exited 0. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a host program with arguments (never through a shell); rejects with {@link CommandFailed}. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

/** A host command that could not start, timed out or exited non-zero. */
export class CommandFailed extends Error {
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    /** Exit code, or the errno code (`ENOENT`: not installed) or signal. */
    readonly code: number | string | null,
    readonly stderr: string,
  ) {
    super(CommandFailed.describe(file, args, code, stderr));
    this.name = 'CommandFailed';
  }

  /** The program is not installed on this host. */
  get notInstalled(): boolean {
    return this.code === 'ENOENT';
  }

  private static describe(file: string, args: readonly string[], code: number | string | null, stderr: string): string {
    if (code === 'ENOENT') return `${file} is not installed on this host`;
    const why = stderr.trim().split('\n').filter(Boolean).slice(-3).join('; ') || `exit ${String(code)}`;
    return `${[file, ...args].join(' ')}: ${why}`;
  }
}

/** Where mount, losetup, mkfs.* and chattr live on Debian-like hosts, whatever PATH the service got. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A {@link CommandRunner} on `child_process.execFile`, with the C locale (stable messages) and a timeout. */
export function execFileRunner(opts: { timeoutMs?: number } = {}): CommandRunner {
  const timeout = opts.timeoutMs ?? 120_000;
  return (file, args) =>
    new Promise((resolve, reject) => {
      execFile(
        file,
        [...args],
        { timeout, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, env: { PATH: SYSTEM_PATH, LC_ALL: 'C' }, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (!err) return resolve({ stdout, stderr });
          const e = err as NodeJS.ErrnoException & { code?: number | string; signal?: string | null; killed?: boolean };
          const code = e.killed ? `timed out after ${timeout} ms` : (e.code ?? e.signal ?? null);
          reject(new CommandFailed(file, args, code, stderr || e.message));
        },
      );
    });
}
