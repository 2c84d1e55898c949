// Attach and interactive exec through zun-wsproxy and the compute host's console relay, on real Redis,
// SQLite and Docker, every service its own process: echo, TTY resize, the state a session leaves, every
// refusal (each before the engine is touched), 50 sessions at once, and a compute host dying mid-session.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { freePort, sleep, waitFor } from '@zun-ts/testing';
import { mustOpen, openConsole, type OpenOutcome } from './fixtures/console-client';
import { ConsoleStack } from './fixtures/console-stack';

/** Console tokens of this stack open sessions for this long (the expiry test waits it out). */
const TOKEN_TTL_SEC = 3;

interface EngineEvent {
  Action: string;
  Actor?: { ID?: string };
}

/** Attach and exec events the engine recorded for `containerId` since `since` (epoch s). */
async function engineConsoleEvents(stack: ConsoleStack, containerId: string, since: number): Promise<string[]> {
  const stream = await stack.docker.getEvents({
    since,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: { type: ['container'], container: [containerId] },
  });
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as EngineEvent).Action)
    .filter((a) => a === 'attach' || a.startsWith('exec_start'));
}

/** A point in time (epoch s) after every earlier engine event: the engine's event filter has one-second resolution. */
async function eventsFromNow(): Promise<number> {
  const since = Math.ceil(Date.now() / 1000) + 1;
  await sleep(since * 1000 - Date.now() + 20);
  return since;
}

function refused(o: OpenOutcome, what: string): { code: number; reason: string } {
  assert.equal(o.open, false, `${what}: the console should have been refused`);
  if (o.open) throw new Error('unreachable');
  assert.equal(o.protocol, 'binary', `${what}: the handshake still picks "binary" (python-zunclient needs it)`);
  return o.close;
}

/** The log lines of a service with `msg`, parsed. */
function logged(stack: ConsoleStack, app: string, msg: string): Record<string, unknown>[] {
  return stack
    .service(app)
    .log()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('consoles through zun-wsproxy and the compute relay', () => {
  let stack: ConsoleStack;
  /** An interactive `cat` without a TTY: echoes exactly the bytes it is given. */
  let echo: string;
  let echoId: string;
  /** An interactive shell with a TTY, as `zun run -i … sh` makes. */
  let shell: string;

  before(async () => {
    stack = await ConsoleStack.start({ conf: { compute: { relay_token_ttl: TOKEN_TTL_SEC } } });
    [echo, shell] = await Promise.all([
      stack.runContainer({ name: 'echo', command: ['cat'] }),
      stack.runContainer({ name: 'shell', command: ['sh'], tty: true }),
    ]);
    echoId = (await stack.docker.getContainer(`zun-${echo}`).inspect()).Id;
  });

  after(async () => {
    await stack?.stop();
  });

  test('attach: the API hands out the proxy URL with a fresh 64-hex token; bytes go both ways unchanged', async () => {
    const url = await stack.attachUrl(echo);
    const m = /^ws:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})&uuid=([0-9a-f-]{36})$/.exec(url);
    assert.ok(m, url);
    assert.equal(Number(m[1]), stack.wsproxyPort);
    assert.equal(m[3], echo);
    assert.notEqual(await stack.attachUrl(echo), url, 'every attach mints a new token');

    const c = await mustOpen(await stack.attachUrl(echo));
    assert.equal(c.ws.protocol, 'binary');
    const payload = randomBytes(200_000);
    c.send(payload);
    await c.until((b) => b.length >= payload.length, 'the echo');
    assert.ok(c.received().equals(payload), 'every byte came back, in order');
    // Spliced onto the engine's attach/ws: its text frames of arbitrary bytes reached the client as binary frames
    // (a text frame that is not UTF-8 would have failed the client's connection with 1007).
    assert.equal(logged(stack, 'compute', 'console session opened').at(-1)?.['spliced'], true);
    const close = await c.close();
    // The engine answers a close frame without a code with its own normal close.
    assert.equal(close.code, 1000, 'the engine answered the close');
    // Leaving does not stop the container, and nothing stays open behind it.
    await waitFor(() => logged(stack, 'wsproxy', 'console closed').at(-1)?.['open'] === 0, { what: 'wsproxy to close the session' });
    assert.equal(logged(stack, 'wsproxy', 'console closed').at(-1)?.['endedBy'], 'client', 'the client ended it');
    await waitFor(() => logged(stack, 'compute', 'console session closed').at(-1)?.['open'] === 0, { what: 'the relay to close the session' });
    assert.equal(((await stack.api('GET', `/v1/containers/${echo}`)).body as { status: string }).status, 'Running');
  });

  test('refusals: no token, wrong token, another container\'s token, an old token, a bad Origin — none reaches the engine', async () => {
    const since = await eventsFromNow();
    const good = new URL(await stack.attachUrl(echo));
    const token = good.searchParams.get('token') ?? '';
    const shellToken = new URL(await stack.attachUrl(shell)).searchParams.get('token') ?? '';
    const base = stack.wsproxyUrl;

    assert.deepEqual(refused(await openConsole(`${base}?uuid=${echo}`), 'no token'), { code: 1008, reason: 'Invalid token: a token is required.' });
    assert.deepEqual(refused(await openConsole(`${base}?token=${'0'.repeat(64)}&uuid=${echo}`), 'wrong token'), { code: 1008, reason: 'Invalid token.' });
    assert.deepEqual(refused(await openConsole(`${base}?token=${shellToken}&uuid=${echo}`), "the shell's token on the echo container"), { code: 1008, reason: 'Invalid token.' });
    assert.deepEqual(refused(await openConsole(`${base}?token=${token}&uuid=${'1'.repeat(8)}-1111-4111-8111-${'1'.repeat(12)}`), 'an unknown container'), { code: 1008, reason: 'Invalid token.' });
    assert.deepEqual(refused(await openConsole(good.toString(), { origin: 'http://evil.example.com' }), 'a foreign Origin'), { code: 1008, reason: 'Origin header does not match this host.' });
    assert.deepEqual(refused(await openConsole(good.toString(), { origin: 'https://127.0.0.1:1' }), 'an https Origin for a ws proxy'), { code: 1008, reason: 'Origin header protocol does not match this host.' });
    const newer = await stack.attachUrl(echo);
    assert.deepEqual(refused(await openConsole(good.toString(), {}), 'a token replaced by a newer attach'), { code: 1008, reason: 'Invalid token.' });

    // The relay itself only takes its own token, for its own session, and never a browser.
    const relay = stack.relayUrl();
    const direct = (path: string, headers: Record<string, string>): Promise<number> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${relay}${path}`, { headers });
        ws.once('unexpected-response', (_req, res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.once('open', () => {
          ws.terminate();
          reject(new Error(`the relay accepted ${path}`));
        });
        ws.once('error', () => undefined);
      });
    const newToken = new URL(newer).searchParams.get('token') ?? '';
    assert.equal(await direct(`attach/${echo}`, {}), 401);
    assert.equal(await direct(`attach/${echo}`, { 'x-zun-console-token': shellToken }), 403);
    assert.equal(await direct(`attach/${shell}`, { 'x-zun-console-token': newToken }), 403);
    assert.equal(await direct(`attach/${echo}`, { 'x-zun-console-token': newToken, Origin: `http://127.0.0.1:${stack.wsproxyPort}` }), 403);
    assert.equal(await direct('containers/json', { 'x-zun-console-token': newToken }), 404, 'nothing of the engine API is reachable');

    await sleep(1100); // the engine's event log has one-second resolution
    assert.deepEqual(await engineConsoleEvents(stack, echoId, since), [], 'no refused console reached Docker');
    // …while an accepted one does show up there.
    await (await mustOpen(newer)).close();
    await waitFor(async () => (await engineConsoleEvents(stack, echoId, since)).length === 1, { what: 'the attach event of an accepted console' });
  });

  test('an expired token is refused by the relay before it touches the engine', async () => {
    const url = await stack.attachUrl(echo);
    await sleep(TOKEN_TTL_SEC * 1000 + 500);
    const since = await eventsFromNow();
    assert.deepEqual(refused(await openConsole(url), 'an expired token'), { code: 1008, reason: 'The console token has expired: attach again.' });
    await sleep(1100);
    assert.deepEqual(await engineConsoleEvents(stack, echoId, since), []);
    assert.equal(logged(stack, 'compute', 'console session refused').at(-1)?.['refusal'], 'expired');
    // A fresh attach works again.
    const c = await mustOpen(await stack.attachUrl(echo));
    c.send('again\n');
    await c.untilText('again\n');
    await c.close();
  });

  test('run -i style: a TTY shell follows the window size, and exit leaves the container Stopped', async () => {
    const uuid = await stack.runContainer({ name: 'run-i', command: ['sh'], tty: true });
    const c = await mustOpen(await stack.attachUrl(uuid));
    // What the client does right after connecting, and on every SIGWINCH.
    assert.equal((await stack.api('POST', `/v1/containers/${uuid}/resize?w=123&h=45`)).status, 200);
    c.send('stty size\r');
    await c.untilText('45 123');
    assert.equal((await stack.api('POST', `/v1/containers/${uuid}/resize?w=90&h=20`)).status, 200);
    c.send('stty size; echo "x$((6*7))"\r');
    await c.untilText('20 90');
    await c.untilText('x42');
    c.send('exit\r');
    const close = await c.closed;
    assert.deepEqual(close, { code: 1000, reason: 'The console session ended.' });
    await stack.waitStatus(uuid, 'Stopped', 30_000);
    assert.equal((await stack.api('POST', `/v1/containers/${uuid}/resize?w=80&h=24`)).status, 409, 'no resize once it stopped');
    const attach = await stack.api('GET', `/v1/containers/${uuid}/attach`);
    assert.equal(attach.status, 409);
  });

  test('exec -i: an interactive exec opens once, resizes, and leaves no process behind', async () => {
    const r = await stack.api('POST', `/v1/containers/${shell}/execute?command=${encodeURIComponent('"sh"')}&run=False&interactive=True`);
    assert.equal(r.status, 200, r.text);
    const ex = r.body as { output: null; exit_code: null; exec_id: string; proxy_url: string };
    assert.equal(ex.output, null);
    assert.equal(ex.exit_code, null);
    assert.match(ex.exec_id, /^[0-9a-f]{64}$/);
    assert.match(ex.proxy_url, new RegExp(`^ws://127\\.0\\.0\\.1:${stack.wsproxyPort}/\\?token=[0-9a-f]{64}&uuid=${shell}&exec_id=${ex.exec_id}$`));
    const c = await mustOpen(ex.proxy_url);
    assert.equal((await stack.api('POST', `/v1/containers/${shell}/execute_resize?exec_id=${ex.exec_id}&w=101&h=31`)).status, 200);
    c.send('stty size\r');
    await c.untilText('31 101');
    // An exec starts once: its URL does not open a second session.
    assert.equal(refused(await openConsole(ex.proxy_url), 'a used exec token').code, 1008);
    // Another container's uuid with this exec's token and id opens nothing either.
    const other = new URL(ex.proxy_url);
    other.searchParams.set('uuid', echo);
    assert.equal(refused(await openConsole(other.toString()), 'exec token on another container').code, 1008);
    c.send('exit\r');
    assert.deepEqual(await c.closed, { code: 1000, reason: 'The console session ended.' });
    const top = (await stack.api('GET', `/v1/containers/${shell}/top?ps_args=None`)).body as { Processes: string[][] };
    assert.equal(top.Processes.length, 1, `only the container's own shell is left: ${JSON.stringify(top.Processes)}`);
    assert.equal(((await stack.api('GET', `/v1/containers/${shell}`)).body as { status: string }).status, 'Running');
  });

  test('50 concurrent attach sessions echo their own bytes, every byte accounted for', async () => {
    const n = 50;
    const names = Array.from({ length: n }, (_, i) => `many-${i}`);
    const uuids: string[] = [];
    for (let i = 0; i < n; i += 10) uuids.push(...(await Promise.all(names.slice(i, i + 10).map((name) => stack.runContainer({ name, command: ['cat'] })))));
    const closedBefore = logged(stack, 'wsproxy', 'console closed').length;
    const clients = await Promise.all(uuids.map(async (u) => mustOpen(await stack.attachUrl(u))));
    await waitFor(() => logged(stack, 'wsproxy', 'console opened').at(-1)?.['open'] === n, { what: `${n} sessions open at once` });
    const payloads = clients.map(() => randomBytes(64 * 1024));
    // Interleaved sends, in chunks, all sessions at once.
    for (let off = 0; off < 64 * 1024; off += 4096) clients.forEach((c, i) => c.send((payloads[i] as Buffer).subarray(off, off + 4096)));
    await Promise.all(clients.map((c, i) => c.until((b) => b.length >= (payloads[i] as Buffer).length, `echo of session ${i}`, 60_000)));
    clients.forEach((c, i) => assert.ok(c.received().equals(payloads[i] as Buffer), `session ${i} got back exactly its own bytes`));
    await Promise.all(clients.map((c) => c.close()));
    await waitFor(() => logged(stack, 'wsproxy', 'console closed').length === closedBefore + n, { what: 'every session closed' });
    const closed = logged(stack, 'wsproxy', 'console closed').slice(closedBefore);
    assert.equal(closed.at(-1)?.['open'], 0);
    assert.ok(closed.every((l) => l['endedBy'] === 'client'));
    assert.equal(closed.reduce((s, l) => s + Number(l['bytesIn']), 0), n * 64 * 1024, 'bytes in, as counted by the proxy');
    assert.equal(closed.reduce((s, l) => s + Number(l['bytesOut']), 0), n * 64 * 1024, 'bytes out, as counted by the proxy');
  });

  test('TLS: with a certificate and key the proxy serves wss://', async () => {
    const dir = stack.dir.join('tls');
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
    const port = await freePort();
    const tls = await stack.startExtraWsproxy('wsproxy-tls', { wsproxy_port: port, base_url: `wss://127.0.0.1:${port}/`, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` });
    try {
      const ca = readFileSync(`${dir}/cert.pem`);
      const plain = new URL(await stack.attachUrl(echo));
      const secure = `wss://127.0.0.1:${port}/${plain.search}`;
      const c = await mustOpen(secure, { ca, origin: `https://127.0.0.1:${port}` });
      c.send('over tls\n');
      await c.untilText('over tls\n');
      await c.close();
      assert.equal(refused(await openConsole(`wss://127.0.0.1:${port}/${plain.search}`, { ca, origin: `http://127.0.0.1:${port}` }), 'http Origin on wss').code, 1008);
    } finally {
      await tls.stop();
    }
  });

  test('a compute host dying mid-session closes its consoles with 1014; the proxy keeps serving', async () => {
    const c = await mustOpen(await stack.attachUrl(echo));
    c.send('before\n');
    await c.untilText('before\n');
    const minted = await stack.attachUrl(echo);
    const proxyPid = stack.service('wsproxy').pid;
    stack.service('compute').kill('SIGKILL');
    const close = await c.closed;
    assert.deepEqual(close, { code: 1014, reason: "The console relay of the container's host went away." });

    // While the host is down the proxy still answers every console, each with a clear code.
    assert.deepEqual(refused(await openConsole(minted), 'a valid token of the dead host'), { code: 1014, reason: "The console relay of the container's host cannot be reached." });
    assert.equal(refused(await openConsole(`${stack.wsproxyUrl}?token=${'0'.repeat(64)}&uuid=${echo}`), 'a bad token while the host is down').code, 1008);
    await stack.startCompute();
    assert.equal(stack.service('wsproxy').pid, proxyPid);
    assert.ok(stack.service('wsproxy').running());
    const again = await mustOpen(await stack.attachUrl(echo));
    again.send('after\n');
    await again.untilText('after\n');
    await again.close();
  });
});
