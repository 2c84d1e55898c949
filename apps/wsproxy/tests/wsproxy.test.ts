// zun-wsproxy as deployed (bundled, own process): plain HTTP, refused consoles,
// sub-protocol choice, bad configuration, port in use, graceful SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { ContainerNotFound, type RequestContext } from '@zun-ts/common';
import { CONDUCTOR, type ConsoleTarget, type ConsoleTargetRequest, RpcServer, RpcTransport, unimplemented } from '@zun-ts/rpc';
import { requireEnv, uniqueName, freePort } from '@zun-ts/testing';

const repoRoot = resolve(__dirname, '../../..');
const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
const prefix = uniqueName('wsproxy');

class Proxy {
  readonly child: ChildProcess;
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [join(repoRoot, 'dist/apps/wsproxy/main.js'), ...args, '--metrics.enabled=false'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => void (this.out += d));
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => void (this.err += d));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }
  async listening(timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.out.includes('websocket proxy listening')) {
      if (Date.now() > end || this.child.exitCode !== null) assert.fail(`wsproxy did not start:\n${this.out}${this.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async exit(timeoutMs = 15_000): Promise<number | null> {
    const t = new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`wsproxy did not exit:\n${this.out}${this.err}`)), timeoutMs).unref());
    return Promise.race([this.exited, t]);
  }
}

/** Opens a console socket and reports the chosen sub-protocol and how the proxy closed it. */
function consoleClose(url: string, opts: { protocols?: string[]; origin?: string } = {}): Promise<{ protocol: string; code: number; reason: string }> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, opts.protocols ?? [], opts.origin ? { origin: opts.origin } : {});
    let protocol = '';
    ws.on('open', () => void (protocol = ws.protocol));
    ws.on('close', (code, reason) => res({ protocol, code, reason: reason.toString() }));
    ws.on('error', rej);
  });
}

describe('zun-wsproxy process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-wsproxy-'));
  const started: Proxy[] = [];
  let port = 0;
  let proxy: Proxy;
  let base = '';
  let conductorSide: RpcTransport;
  const asked: ConsoleTargetRequest[] = [];

  before(async () => {
    // The conductor as far as the proxy uses it: it knows no container.
    conductorSide = RpcTransport.connect({ redisUrl, prefix });
    await new RpcServer(conductorSide).serve(CONDUCTOR, {
      ...unimplemented(CONDUCTOR),
      async consoleTarget(_ctx: RequestContext, args: ConsoleTargetRequest): Promise<ConsoleTarget> {
        asked.push(args);
        throw new ContainerNotFound(`Container ${args.container} could not be found.`);
      },
    });
    const res = spawnSync(process.execPath, ['tools/build.mjs', 'wsproxy'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stdout + res.stderr);
    port = await freePort();
    writeFileSync(join(dir, 'zun.conf'), `[redis]\nurl = ${redisUrl}\nkey_prefix = ${prefix}\n\n[websocket_proxy]\nwsproxy_host = 127.0.0.1\nwsproxy_port = ${port}\n`);
    proxy = new Proxy(['--config-file', join(dir, 'zun.conf'), '--host=wsproxy-test']);
    started.push(proxy);
    await proxy.listening();
    base = `ws://127.0.0.1:${port}/`;
  });

  after(async () => {
    for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    await conductorSide?.close();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  test('plain HTTP gets a Zun-style 404 JSON error', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as { errors: { status: number; code: string; title: string }[] };
    assert.equal(body.errors[0]?.status, 404);
    assert.equal(body.errors[0]?.code, 'container.');
    assert.equal(body.errors[0]?.title, 'Not Found');
  });

  test('a console without a token is closed with a policy-violation reason', async () => {
    const c = await consoleClose(`${base}?uuid=0c4a7d43-7f1c-4a34-8a1b-9f4a59a4f1e1`);
    assert.equal(c.code, 1008);
    assert.equal(c.reason, 'Invalid token: a token is required.');
  });

  test('a token the conductor cannot confirm is refused with 1008, after choosing "binary"', async () => {
    const c = await consoleClose(`${base}?token=abc&uuid=0c4a7d43-7f1c-4a34-8a1b-9f4a59a4f1e1&exec_id=${'e'.repeat(64)}`, { protocols: ['binary', 'base64'] });
    assert.equal(c.protocol, 'binary', 'python-zunclient needs one of its offered sub-protocols');
    assert.equal(c.code, 1008);
    assert.equal(c.reason, 'Invalid token.');
    assert.deepEqual(asked.at(-1), { container: '0c4a7d43-7f1c-4a34-8a1b-9f4a59a4f1e1', exec_id: 'e'.repeat(64) });
  });

  test('a console from a foreign origin is refused', async () => {
    const c = await consoleClose(`${base}?token=abc&uuid=x`, { origin: 'http://evil.example.com' });
    assert.equal(c.code, 1008);
    assert.equal(c.reason, 'Origin header does not match this host.');
  });

  test('a second proxy on a port in use stops with status 1 and says why', async () => {
    const p = new Proxy(['--config-file', join(dir, 'zun.conf')]);
    started.push(p);
    assert.equal(await p.exit(), 1);
    assert.match(p.err, /^zun-wsproxy: cannot start: .*EADDRINUSE/);
  });

  test('a bad configuration stops it with status 2, listing every problem', async () => {
    writeFileSync(join(dir, 'bad.conf'), '[websocket_proxy]\nwsproxy_port = 99999\nbase_url = http://x/\n');
    const p = new Proxy(['--config-file', join(dir, 'bad.conf')]);
    started.push(p);
    assert.equal(await p.exit(), 2);
    assert.match(p.err, /^zun-wsproxy: invalid configuration:/);
    assert.match(p.err, /\[websocket_proxy\] wsproxy_port/);
    assert.match(p.err, /\[websocket_proxy\] base_url/);
  });

  test('SIGTERM stops it with status 0 and frees the port', async () => {
    proxy.child.kill('SIGTERM');
    assert.equal(await proxy.exit(), 0);
    assert.match(proxy.out, /"msg":"stopped"/);
    const s: Server = createServer();
    await new Promise<void>((res, rej) => {
      s.once('error', rej);
      s.listen(port, '127.0.0.1', () => res());
    });
    await new Promise<void>((res) => s.close(() => res()));
  });
});
