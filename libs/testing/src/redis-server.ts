import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './free-port';
import { signalAndWait } from './process-tree';
import { tmpDir, type TmpDir } from './tmp-dir';
import { sleep } from './wait-for';

/** A redis-server of one test, on a free loopback port, with its data in a temporary directory. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0`, or `redis://:<password>@127.0.0.1:<port>/0` with a password */
  readonly url: string;
  /** The password the server requires (`requirepass`), or null. */
  readonly password: string | null;
  /** Where the server keeps its append-only files (delete it while stopped: the next start is empty). */
  readonly dataDir: string;
  /** The pid of the running server (changes with each {@link TestRedis.start}). */
  readonly pid: number | null;
  /** Stops the server (SIGKILL by default: Redis dies as in a crash) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data directory, and waits until it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  close(): Promise<void>;
}

/** Options of {@link startRedis}. */
export interface TestRedisOptions {
  /** A password the server requires (`requirepass`); clients without it are refused NOAUTH. */
  password?: string;
  /** Keep an append-only file, so a restart keeps the data (default: no persistence). */
  appendOnly?: boolean;
}

/** Whether `PING` on the port (after `AUTH` with a password) answers `+PONG`. */
function pings(port: number, password: string | null): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write(password === null ? 'PING\r\n' : `AUTH ${password}\r\nPING\r\n`));
    sock.on('data', (d) => {
      data += d.toString();
      const lines = data.split('\r\n');
      const need = password === null ? 1 : 2;
      if (lines.length > need) done(lines[need - 1]?.startsWith('+PONG') ?? false);
    });
  });
}

class RedisProcess implements TestRedis {
  readonly url: string;
  readonly password: string | null;
  readonly dataDir: string;
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly dir: TmpDir,
    private readonly opts: TestRedisOptions,
  ) {
    this.password = opts.password ?? null;
    this.dataDir = dir.join('appendonlydir');
    this.url = this.password === null ? `redis://127.0.0.1:${port}/0` : `redis://:${encodeURIComponent(this.password)}@127.0.0.1:${port}/0`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const fd = openSync(this.dir.join('redis.log'), 'a');
    try {
      const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir.path, '--save', '', '--appendonly', this.opts.appendOnly ? 'yes' : 'no'];
      if (this.opts.appendOnly) args.push('--appendfsync', 'always');
      if (this.password !== null) args.push('--requirepass', this.password);
      this.child = spawn('redis-server', args, {
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 10_000;
    while (!(await pings(this.port, this.password))) {
      if (!this.child) throw new Error(`redis-server exited on start:\n${readFileSync(this.dir.join('redis.log'), 'utf8').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
      await sleep(50);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await signalAndWait(this.child, signal);
    this.child = null;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.dir.cleanup();
  }
}

/**
 * Starts a redis-server of the test's own (not the stack's shared one), so the test may stop and restart it.
 * No persistence unless `appendOnly`: a restart starts empty, as a flushed Redis would.
 */
export async function startRedis(opts: TestRedisOptions = {}): Promise<TestRedis> {
  const r = new RedisProcess(await freePort(), tmpDir('zun-redis-'), opts);
  await r.start();
  return r;
}
