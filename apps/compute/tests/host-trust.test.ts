// What a compute host holds (ADR 0006), checked on the running stack's processes and on the bundle that is
// deployed: zun-compute reaches the database only through the conductor (no database client in its bundle, no
// database file open in its processes, while the conductor's are) and its engine only through a unix socket (the
// stack's dockerd listens on no TCP port, and a tcp:// engine address stops zun-compute at start).
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, repoRoot, requireEnv, startService, tmpDir, writeZunConf } from '@zun-ts/testing';

const state = requireEnv('ZUN_TEST_STACK_STATE', join(repoRoot(), '.stack'));

function pidOf(file: string): number {
  const pid = Number(readFileSync(join(state, file), 'utf8').trim());
  assert.ok(Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`), `${file} names a running process`);
  return pid;
}

/** `pid` and every process below it (a service's workers are its children). */
function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …: the command may hold spaces and parentheses, so read after the last ')'
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** The targets of the open file descriptors (files, sockets, pipes) of `pid` and its children. */
function openFiles(pid: number): string[] {
  return processTree(pid).flatMap((p) => {
    const dir = `/proc/${p}/fd`;
    try {
      return readdirSync(dir).flatMap((fd) => {
        try {
          return [readlinkSync(join(dir, fd))];
        } catch {
          return []; // closed meanwhile
        }
      });
    } catch {
      return []; // the process ended meanwhile
    }
  });
}

/** The socket inodes listening on TCP (v4 and v6), from /proc/net/tcp*. */
function tcpListenInodes(): Set<string> {
  const out = new Set<string>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[9]) out.add(cols[9]); // state LISTEN, inode
    }
  }
  return out;
}

describe('a compute host holds no database access and no engine API on TCP', () => {
  test('the zun-compute bundle carries no database client; the conductor\'s does', async () => {
    await Promise.all([ensureBuilt('compute'), ensureBuilt('conductor')]);
    const bundle = (app: string): string => readFileSync(join(repoRoot(), 'dist/apps', app, 'main.js'), 'utf8');
    const dbClients = /require\("(typeorm|mysql2(\/promise)?|better-sqlite3)"\)/g;
    assert.deepEqual(bundle('compute').match(dbClients) ?? [], []);
    assert.ok((bundle('conductor').match(dbClients) ?? []).length > 0, 'the check can see a database client where there is one');
  });

  test('the running zun-compute has no database file or connection open; the running conductor has', () => {
    const conf = readFileSync(join(state, 'zun.conf'), 'utf8');
    const url = /^\[database\][^[]*?^connection\s*=\s*(\S+)/ms.exec(conf)?.[1] ?? '';
    assert.match(url, /^sqlite:\/\/\//, 'the stack runs the embedded database');
    const file = url.replace(/^sqlite:\/\/\//, '');
    const compute = openFiles(pidOf('run/zun-compute.pid'));
    const conductor = openFiles(pidOf('run/zun-conductor.pid'));
    assert.ok(conductor.some((f) => f.startsWith(file)), `the conductor has ${file} open`);
    assert.deepEqual(compute.filter((f) => f.startsWith(file)), [], 'zun-compute has no database file open');
  });

  test('the stack\'s dockerd listens on no TCP port, only on its unix socket', () => {
    const pid = pidOf('docker/dockerd.pid');
    const listening = tcpListenInodes();
    const sockets = openFiles(pid).map((f) => /^socket:\[(\d+)\]$/.exec(f)?.[1]).filter((i): i is string => i !== undefined);
    assert.ok(sockets.length > 0, 'dockerd has sockets open');
    assert.deepEqual(sockets.filter((i) => listening.has(i)), [], 'no TCP listener');
  });

  test('a tcp:// engine address stops zun-compute at start with the reason', async () => {
    const dir = tmpDir('zun-trust-');
    try {
      const conf = writeZunConf({ DEFAULT: { host: 'trust-check', state_path: dir.path }, docker: { docker_remote_api_host: 'tcp://127.0.0.1:2375' } });
      await assert.rejects(startService('compute', conf, { timeoutMs: 30_000, dir: dir.path }), /only through the local unix socket/);
    } finally {
      await dir.cleanup();
    }
  });
});
