import { createConnection } from 'node:net';
import { freePort } from './free-port';
import { RestartableServer } from './restartable-server';
import { tmpDir, type TmpDir } from './tmp-dir';

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

class RedisProcess extends RestartableServer implements TestRedis {
  readonly url: string;
  readonly password: string | null;
  readonly dataDir: string;

  constructor(
    port: number,
    dir: TmpDir,
    private readonly opts: TestRedisOptions,
  ) {
    super(port, dir, { command: 'redis-server', logName: 'redis.log', startTimeoutMs: 10_000 });
    this.password = opts.password ?? null;
    this.dataDir = dir.join('appendonlydir');
    this.url = this.password === null ? `redis://127.0.0.1:${port}/0` : `redis://:${encodeURIComponent(this.password)}@127.0.0.1:${port}/0`;
  }

  protected args(): string[] {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir.path, '--save', '', '--appendonly', this.opts.appendOnly ? 'yes' : 'no'];
    if (this.opts.appendOnly) args.push('--appendfsync', 'always');
    if (this.password !== null) args.push('--requirepass', this.password);
    return args;
  }

  protected answers(): Promise<boolean> {
    return pings(this.port, this.password);
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
