import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { RestartableServer } from './restartable-server';
import { tmpDir, type TmpDir } from './tmp-dir';

const run = promisify(execFile);

/** A MariaDB server of one test (root, no password, 127.0.0.1 on a free port), data in a temporary directory. */
export interface TestMariadb {
  readonly port: number;
  /** The `[database] connection` URL of its database `zun` (utf8mb4). */
  readonly url: string;
  /** The pid of the running server (changes with each {@link TestMariadb.start}). */
  readonly pid: number | null;
  /** Stops the server (SIGKILL by default: as in a crash) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data, and waits until it takes connections. */
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  close(): Promise<void>;
}

/** Whether the port takes a TCP connection and sends MariaDB's greeting. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (d) => done(d.length > 4));
  });
}

class MariadbProcess extends RestartableServer implements TestMariadb {
  readonly url: string;

  constructor(port: number, dir: TmpDir) {
    super(port, dir, { command: 'mariadbd', logName: 'mariadb.log', startTimeoutMs: 60_000 });
    this.url = `mysql+pymysql://root@127.0.0.1:${port}/zun?charset=utf8mb4`;
  }

  async init(): Promise<void> {
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${this.dir.join('data')}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { timeout: 120_000 });
    await this.start();
    await run('mariadb', ['--no-defaults', `--socket=${this.dir.join('mysqld.sock')}`, '-uroot', '-e', 'CREATE DATABASE zun CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'], { timeout: 30_000 });
  }

  protected args(): string[] {
    return [
      '--no-defaults', `--datadir=${this.dir.join('data')}`, `--socket=${this.dir.join('mysqld.sock')}`, `--port=${this.port}`, '--bind-address=127.0.0.1',
      '--user=root', `--pid-file=${this.dir.join('mariadbd.pid')}`, '--skip-log-bin', '--skip-name-resolve', '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci', '--innodb-buffer-pool-size=64M', '--max-connections=500',
    ];
  }

  protected answers(): Promise<boolean> {
    return greets(this.port);
  }
}

/**
 * Starts a MariaDB server of the test's own (not the shared test server), with an empty database `zun`, so the
 * test may kill and restart it. Needs mariadb-server (tools/stack installs it).
 */
export async function startMariadb(): Promise<TestMariadb> {
  const m = new MariadbProcess(await freePort(), tmpDir('zun-mariadb-'));
  try {
    await m.init();
  } catch (err) {
    await m.close();
    throw err;
  }
  return m;
}
