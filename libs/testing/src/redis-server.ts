import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './free-port';
import { tmpDir, type TmpDir } from './tmp-dir';
import { sleep } from './wait-for';

/** A redis-server of one test, on a free loopback port, with its data in a temporary directory. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0` */
  readonly url: string;
  /** The pid of the running server (changes with each {@link TestRedis.start}). */
  readonly pid: number | null;
  /** Stops the server (SIGKILL by default: Redis dies as in a crash) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data directory, and waits until it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  close(): Promise<void>;
}

/** Whether `PING` on the port answers `+PONG`. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

class RedisProcess implements TestRedis {
  readonly url: string;
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly dir: TmpDir,
  ) {
    this.url = `redis://127.0.0.1:${port}/0`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const fd = openSync(this.dir.join('redis.log'), 'a');
    try {
      this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir.path, '--save', '', '--appendonly', 'no'], {
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
    while (!(await pings(this.port))) {
      if (!this.child) throw new Error(`redis-server exited on start:\n${readFileSync(this.dir.join('redis.log'), 'utf8').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
      await sleep(50);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, signal);
    await exited;
    this.child = null;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.dir.cleanup();
  }
}

/**
 * Starts a redis-server of the test's own (not the stack's shared one), so the test may stop and restart it.
 * No persistence: a restart starts empty, as a flushed Redis would.
 */
export async function startRedis(): Promise<TestRedis> {
  const r = new RedisProcess(await freePort(), tmpDir('zun-redis-'));
  await r.start();
  return r;
}
