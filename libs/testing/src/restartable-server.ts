import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { signalAndWait } from './process-tree';
import { type TmpDir } from './tmp-dir';
import { sleep } from './wait-for';

/** How a server of a test's own is started and known to be up. */
export interface ServerCommand {
  /** The program, e.g. `redis-server`. */
  command: string;
  /** Its log file in the server's directory. */
  logName: string;
  /** How long a start may take before it is an error, in ms. */
  startTimeoutMs: number;
}

/**
 * A daemon a test starts, kills and starts again on the same port and directory (Redis, MariaDB): its output goes
 * to a log in its directory; `start` resolves once `answers()` says it serves, and fails with the log's tail when
 * it exits or does not answer in time.
 */
export abstract class RestartableServer {
  private child: ChildProcess | null = null;

  protected constructor(
    readonly port: number,
    protected readonly dir: TmpDir,
    private readonly cmd: ServerCommand,
  ) {}

  /** The arguments of each start. */
  protected abstract args(): string[];
  /** Whether the server answers on its port. */
  protected abstract answers(): Promise<boolean>;

  /** The pid of the running server (changes with each start), or null. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const log = this.dir.join(this.cmd.logName);
    const fd = openSync(log, 'a');
    try {
      this.child = spawn(this.cmd.command, this.args(), { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const tail = (): string => (existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '');
    const deadline = Date.now() + this.cmd.startTimeoutMs;
    while (!(await this.answers())) {
      if (!this.child) throw new Error(`${this.cmd.command} exited on start:\n${tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.cmd.command} on port ${this.port} did not answer within ${this.cmd.startTimeoutMs / 1000} s:\n${tail()}`);
      await sleep(50);
    }
  }

  /** Stops the server (SIGKILL by default: as in a crash) and waits for its exit. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await signalAndWait(this.child, signal);
    this.child = null;
  }

  /** Stops it and deletes its directory. */
  async close(): Promise<void> {
    await this.stop();
    await this.dir.cleanup();
  }
}
