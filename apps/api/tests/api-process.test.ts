import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Database } from '@zun-ts/db';
import { childPids, freePort, metricValue, parsePrometheusText, TEST_AUTH_ENCRYPTION_KEY } from '@zun-ts/testing';
import { issueToken, readOpenRc, requireEnv, waitFor } from './fixtures/keystone-env';

const keystoneUrl = requireEnv('ZUN_TEST_KEYSTONE_URL', 'http://127.0.0.1:5000/v3');
const keystoneState = requireEnv('ZUN_TEST_KEYSTONE_STATE', '/tmp/keystone-5000');
const repoRoot = resolve(__dirname, '../../..');
const mainTs = resolve(__dirname, '../src/main.ts');

describe('zun-api as a multi-process service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-api-proc-'));
  const zun = readOpenRc(keystoneState, 'zun');
  let port: number;
  let metricsPort: number;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  let adminToken: string;
  const url = (p: string): string => `http://127.0.0.1:${port}${p}`;

  before(async () => {
    const db = await Database.open(`sqlite:///${join(dir, 'zun.sqlite')}`);
    await db.migrate();
    await db.services.upsert({ host: 'proc-compute', binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    await db.close();
    port = await freePort();
    metricsPort = await freePort();
    writeFileSync(
      join(dir, 'zun.conf'),
      [
        '[DEFAULT]',
        `state_path = ${dir}`,
        `auth_encryption_key = ${TEST_AUTH_ENCRYPTION_KEY}`,
        '[api]',
        'host_ip = 127.0.0.1',
        `port = ${port}`,
        'workers = 2',
        '[metrics]',
        `api_port = ${metricsPort}`,
        '[database]',
        `connection = sqlite:///${join(dir, 'zun.sqlite')}`,
        '[keystone_authtoken]',
        `auth_url = ${keystoneUrl}`,
        `www_authenticate_uri = ${keystoneUrl}`,
        `username = ${zun.username}`,
        `password = ${zun.password}`,
        `project_name = ${zun.projectName}`,
        '',
      ].join('\n'),
    );
    child = spawn(process.execPath, ['--import', 'tsx', mainTs, '--config-file', join(dir, 'zun.conf')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    exited = new Promise((r) => child.once('exit', (code) => r(code)));
    await waitFor(async () => (await fetch(url('/healthcheck')).catch(() => null))?.status === 200, 30_000, `zun-api to serve (output so far:\n${output})`, 200);
    adminToken = (await issueToken(keystoneUrl, readOpenRc(keystoneState, 'admin'))).token;
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the API with Keystone auth from its config file', async () => {
    const res = await fetch(url('/v1/services'), { headers: { 'X-Auth-Token': adminToken } });
    assert.equal(res.status, 200, output);
    const { services } = (await res.json()) as { services: { host: string }[] };
    assert.deepEqual(services.map((s) => s.host), ['proc-compute']);
    assert.equal((await fetch(url('/v1/services'))).status, 401);
  });

  test('the primary serves the metrics of all its workers, summed', async () => {
    const count = async (): Promise<number> => {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(res.status, 200);
      const samples = parsePrometheusText(await res.text());
      return metricValue(samples, 'zun_http_requests_total', { route: '/v1/services', method: 'GET', status: '200' });
    };
    const before = await count();
    // New connections, which either worker may accept.
    for (let i = 0; i < 8; i++) {
      const res = await fetch(url('/v1/services'), { headers: { 'X-Auth-Token': adminToken, Connection: 'close' } });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    assert.equal(await count(), before + 8, output);
  });

  test('a body the API answers without reading (healthcheck, 413 on Content-Length) is drained first: the client that sends it with Connection: close gets its answer, not EPIPE', async () => {
    // The fuzz suite found this: the answer closed the connection while the client was still writing its body.
    const send = (path: string, method: string, size: number): Promise<number> =>
      new Promise((res, rej) => {
        const body = Buffer.alloc(size, 0x61);
        const req = request(url(path), {
          method,
          headers: { 'X-Auth-Token': adminToken, 'Content-Type': 'application/json', 'Content-Length': String(size), Connection: 'close' },
        }, (r) => {
          r.resume();
          r.on('end', () => res(r.statusCode ?? 0));
        });
        req.on('error', rej);
        req.end(body);
      });
    for (const size of [2 * 1024 * 1024, 4 * 1024 * 1024]) {
      assert.equal(await send('/healthcheck', 'GET', size), 200, `GET /healthcheck with ${size} bytes`);
      assert.equal(await send('/v1/containers', 'POST', size), 413, `POST /v1/containers with ${size} bytes`);
    }
  });

  test('runs [api] workers processes and replaces one that dies', async () => {
    const pid = child.pid as number;
    await waitFor(async () => childPids(pid).length === 2, 10_000, 'two workers');
    const before = childPids(pid);
    process.kill(before[0] as number, 'SIGKILL');
    await waitFor(async () => {
      const now = childPids(pid);
      return now.length === 2 && !now.includes(before[0] as number);
    }, 15_000, 'the dead worker to be replaced');
    await waitFor(async () => (await fetch(url('/healthcheck')).catch(() => null))?.status === 200, 10_000, 'still serving');
  });

  test('a worker killed while connections wait for it leaves none unanswered (regression: the primary held a connection it had handed to the dead worker until the client gave up)', async () => {
    const pid = child.pid as number;
    // Both workers serving (the one the previous test started included).
    const listening = (p: number): boolean => output.includes(`"pid":${p},`) && new RegExp(`"pid":${p},[^\n]*"msg":"listening"`).test(output);
    await waitFor(async () => childPids(pid).length === 2 && childPids(pid).every(listening), 20_000, 'two workers listening');
    const [victim] = childPids(pid) as [number];
    // A stopped worker accepts nothing; round-robin would still hand it every other connection.
    process.kill(victim, 'SIGSTOP');
    // Each on a new connection (agent: false): a kept-alive one accepted earlier by the victim would die with it.
    const answers = Array.from({ length: 8 }, () =>
      new Promise<number | string>((res) => {
        const req = request(url('/healthcheck'), { agent: false, timeout: 10_000 }, (r) => {
          r.resume();
          r.on('end', () => res(r.statusCode ?? 0));
        });
        req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
        req.on('error', (err) => res(err.message));
        req.end();
      }));
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(victim, 'SIGKILL');
    assert.deepEqual(await Promise.all(answers), Array(8).fill(200), output);
    await waitFor(async () => childPids(pid).length === 2 && !childPids(pid).includes(victim) && childPids(pid).every(listening), 20_000, 'the killed worker replaced');
  });

  test('SIGTERM: the request in flight completes, then the process exits 0', async () => {
    // A PUT whose body arrives in two parts: it is in flight when SIGTERM comes.
    const answer = new Promise<{ status: number; body: string }>((res, rej) => {
      const req = request(url('/v1/services/disable?host=proc-compute&binary=zun-compute'), {
        method: 'PUT',
        headers: { 'X-Auth-Token': adminToken, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', rej);
      req.write('{');
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end('}'), 700);
      }, 300);
    });
    const r = await answer;
    assert.equal(r.status, 200, `${r.body}\n${output}`);
    assert.equal((JSON.parse(r.body) as { service: { disabled: boolean } }).service.disabled, true);
    const code = await Promise.race([exited, new Promise<string>((res) => setTimeout(() => res('still running'), 15_000))]);
    assert.equal(code, 0, output);
  });
});
