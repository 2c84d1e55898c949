// startService against a stand-in service (a real node process), and the build
// check against the real compute app.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ensureBuilt, isProcessAlive as alive, repoRoot, startService, writeZunConf } from '../src';

const fake = join(__dirname, 'fixtures', 'fake-service.js');

void describe('startService', () => {
  test('resolves once the service logs "service started"; stop() ends it with SIGTERM', async () => {
    const t0 = Date.now();
    const svc = await startService('fake', writeZunConf({ DEFAULT: { host: 'h-ready' } }), { main: fake });
    assert.ok(Date.now() - t0 >= 250, 'resolved before the service said it started');
    assert.ok(svc.running());
    assert.ok(alive(svc.pid));
    assert.match(svc.log(), /"msg":"service started","host":"h-ready"/);
    assert.ok(existsSync(svc.confFile));
    const exit = await svc.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(svc.log(), /"msg":"stopping"/);
    assert.ok(!svc.running());
  });

  test('kill() crashes it (SIGKILL by default)', async () => {
    const svc = await startService('fake', writeZunConf({ DEFAULT: { host: 'h-kill' } }), { main: fake });
    svc.kill();
    assert.deepEqual(await svc.exited, { code: null, signal: 'SIGKILL' });
    assert.doesNotMatch(svc.log(), /"msg":"stopping"/);
  });

  test('an exit during start-up rejects at once with the log', async () => {
    const t0 = Date.now();
    await assert.rejects(
      startService('fake', writeZunConf({ DEFAULT: { host: 'h-crash' } }), { main: fake, env: { FAKE_MODE: 'crash' }, timeoutMs: 20_000 }),
      (err: Error) => /fake did not start: fake exited during start-up \(code 3/.test(err.message) && /cannot connect to redis/.test(err.message),
    );
    assert.ok(Date.now() - t0 < 10_000, 'waited for the deadline although the process had exited');
  });

  test('logRecords() parses the JSON lines of the log', async () => {
    const svc = await startService('fake', writeZunConf({ DEFAULT: { host: 'h-json' } }), { main: fake });
    await svc.stop();
    assert.deepEqual(svc.logRecords().map((r) => [r.msg, r.host]), [['configuration loaded', 'h-json'], ['service started', 'h-json'], ['stopping', 'h-json']]);
  });

  test('exitWithin() waits for an exit of its own, or rejects with the log after the time limit', async () => {
    const crash = await startService('fake', writeZunConf({ DEFAULT: { host: 'h-exit' } }), { main: fake, env: { FAKE_MODE: 'crash' }, ready: 'started' });
    assert.deepEqual(await crash.exitWithin(10_000), { code: 3, signal: null });
    assert.match(crash.log(), /cannot connect to redis/);
    const idle = await startService('fake', writeZunConf({ DEFAULT: { host: 'h-idle' } }), { main: fake });
    await assert.rejects(idle.exitWithin(300), /fake did not exit within 300 ms[\s\S]*"msg":"service started"/);
    assert.ok(idle.running());
    await idle.stop();
  });

  test('a TypeScript main runs through tsx', async () => {
    const svc = await startService('fake-ts', writeZunConf({ DEFAULT: { host: 'h-ts' } }), { main: join(__dirname, 'fixtures', 'fake-service-ts.ts') });
    assert.deepEqual(svc.logRecords()[0], { level: 30, msg: 'service started', lang: 'ts' });
    assert.deepEqual(await svc.stop(), { code: 0, signal: null });
  });

  test('a service never ready is killed after the time limit', async () => {
    let probes = 0;
    await assert.rejects(
      startService('fake', writeZunConf({ DEFAULT: { host: 'h-slow' } }), {
        main: fake,
        env: { FAKE_MODE: 'never-ready' },
        timeoutMs: 500,
        ready: {
          probe: () => {
            probes++;
            return false;
          },
        },
      }),
      /not ready within 500 ms \(probe returning true\)/,
    );
    assert.ok(probes > 1, `probed ${probes} times`);
  });

  test('other readiness conditions: an HTTP answer', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const svc = await startService('fake', writeZunConf({ DEFAULT: { host: 'h-http' } }), { main: fake, ready: { http: `http://127.0.0.1:${port}/` } });
      await svc.stop();
    } finally {
      server.close();
    }
  });
});

void describe('ensureBuilt', () => {
  test('leaves dist/apps/compute/main.js newer than the sources', async () => {
    await ensureBuilt('compute');
    const main = join(repoRoot(), 'dist', 'apps', 'compute', 'main.js');
    assert.ok(existsSync(main));
    assert.ok(statSync(main).mtimeMs >= statSync(join(repoRoot(), 'apps', 'compute', 'src', 'main.ts')).mtimeMs);
    await assert.rejects(ensureBuilt('no-such-app'), /no app no-such-app/);
  });
});
