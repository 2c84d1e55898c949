// What the scale benchmarks share: a private database (SQLite file, or a database of its own on the test MariaDB),
// process memory from /proc, and the machine's load.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Database } from '@zun-ts/db';
import { childPids } from '@zun-ts/testing';

/** A database of the benchmark's own, migrated; `drop()` closes it and removes it. */
export interface PrivateDatabase {
  db: Database;
  /** `[database] connection` for services started on it. */
  url: string;
  kind: 'sqlite' | 'mysql';
  drop(): Promise<void>;
}

function mysqlServer(url: string): { host: string; port: number; user: string; password: string } {
  const u = new URL(url.replace(/^mysql\+\w+:/, 'mysql:'));
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) };
}

/**
 * `BENCH_DB=mysql` (with `ZUN_TEST_MYSQL_URL`): a new utf8mb4 database `zun_bench_<random>` on that server;
 * otherwise (`sqlite`, the default) a SQLite file in `dir`.
 */
export async function privateDatabase(dir: string, kind = process.env.BENCH_DB ?? 'sqlite'): Promise<PrivateDatabase> {
  if (kind === 'sqlite') {
    const url = `sqlite:///${join(dir, 'zun.sqlite')}`;
    const db = await Database.open(url);
    await db.migrate();
    return { db, url, kind: 'sqlite', drop: () => db.close() };
  }
  if (kind !== 'mysql') throw new Error(`BENCH_DB is sqlite or mysql, not ${kind}`);
  const serverUrl = process.env.ZUN_TEST_MYSQL_URL;
  if (!serverUrl) throw new Error('BENCH_DB=mysql needs ZUN_TEST_MYSQL_URL (e.g. mysql://root@127.0.0.1:3307)');
  const server = mysqlServer(serverUrl);
  const name = `zun_bench_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection(server);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const auth = server.password ? `${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}` : encodeURIComponent(server.user);
  const url = `mysql+pymysql://${auth}@${server.host}:${server.port}/${name}?charset=utf8mb4`;
  const db = await Database.open(url);
  await db.migrate();
  return {
    db,
    url,
    kind: 'mysql',
    drop: async () => {
      await db.close();
      const a = await createConnection(server);
      try {
        await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await a.end();
      }
    },
  };
}

/** Resident set size of one process in MiB (VmRSS), NaN when it is gone. */
export function rssMiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** RSS of a process and its children (a service's `node:cluster` workers), in MiB. */
export function treeRssMiB(pid: number): number {
  return [pid, ...childPids(pid)].reduce((sum, p) => sum + (rssMiB(p) || 0), 0);
}

/** CPU time (user + system) of a process and its children so far, in ms, from /proc/<pid>/stat. */
export function treeCpuMs(pid: number): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const p of [pid, ...childPids(pid)]) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(f[11]) + Number(f[12])) * 1000) / ticks;
    } catch {
      // gone
    }
  }
  return total;
}

/** "load average 0.62 0.75 0.37 on 2 cores". */
export function loadLine(): string {
  return `load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} on ${cpus().length} cores`;
}
