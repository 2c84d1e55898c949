// Console benchmark against a running stack: echo round trip (p50/p99) and throughput (MB/s) of an attach
// session through zun-wsproxy and the compute relay, beside a direct Docker attach/ws on the same container,
// in the same run (rounds alternate between the two paths).
// Run: node --import tsx bench/attach/attach.bench.ts [--state .stack]
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '@zun-ts/config';
import { benchResults, median, percentile } from '../stats';

const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const ECHOES = Number(env.BENCH_ECHOES ?? 1000);
const ECHO_BYTES = Number(env.BENCH_ECHO_BYTES ?? 64);
const WARMUP_ECHOES = 50;
const STREAM_MIB = Number(env.BENCH_STREAM_MIB ?? 16);
const CHUNK = 32 * 1024;
/** Bytes sent but not yet echoed, at most (a terminal does not send more than it can show). */
const WINDOW = 1024 * 1024;
const MICROVERSION = 'container 1.40';
const TARGETS = { throughputRatio: 0.8, p50ExtraMs: 1 };

// ------------------------------------------------------------------ helpers

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


function stateDir(argv: string[]): string {
  let state = env.ZUN_STACK_STATE ?? '.stack';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--state') state = argv[++i] ?? state;
    else if (a.startsWith('--state=')) state = a.slice('--state='.length);
    else throw new Error(`unknown argument ${a} (usage: attach.bench.ts [--state DIR])`);
  }
  return resolve(state);
}

function readOpenrc(path: string): Record<string, string> {
  if (!existsSync(path)) throw new Error(`${path} does not exist: is the stack up (tools/stack up)?`);
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*export\s+([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) out[m[1]] = (m[2] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

async function keystoneToken(rc: Record<string, string>): Promise<string> {
  const res = await fetch(`${rc['OS_AUTH_URL']}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: rc['OS_USERNAME'], domain: { name: rc['OS_USER_DOMAIN_NAME'] ?? 'Default' }, password: rc['OS_PASSWORD'] } } },
        scope: { project: { name: rc['OS_PROJECT_NAME'], domain: { name: rc['OS_PROJECT_DOMAIN_NAME'] ?? 'Default' } } },
      },
    }),
  });
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || !token) throw new Error(`Keystone refused ${rc['OS_USERNAME']}: ${res.status} ${await res.text()}`);
  return token;
}

class Api {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'X-Auth-Token': this.token, 'OpenStack-API-Version': MICROVERSION, 'Content-Type': 'application/json', Accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, text };
  }
}

// ------------------------------------------------------------------ sessions

/** An echo session: what was sent comes back (a `cat` without a TTY). */
class Session {
  private received = 0;
  private waiter: (() => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      this.received += d.length;
      this.waiter?.();
    });
  }

  static open(url: string, protocols: string[] = []): Promise<Session> {
    return new Promise((res, rej) => {
      const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
      const s = new Session(ws);
      let settled = false;
      ws.once('open', () => {
        // The proxy closes a refused console right after the handshake.
        setTimeout(() => {
          settled = true;
          res(s);
        }, 100);
      });
      ws.once('close', (code, reason) => {
        if (!settled) rej(new Error(`console closed: ${code} ${reason.toString()}`));
      });
      ws.once('error', (e) => {
        if (!settled) rej(e);
      });
    });
  }

  /** Waits until `total` bytes have come back in all. */
  async until(total: number, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.received < total) {
      if (Date.now() > end) throw new Error(`echo stalled at ${this.received}/${total} bytes`);
      if (this.ws.readyState !== WebSocket.OPEN) throw new Error('the console closed');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiter = () => {
          clearTimeout(t);
          this.waiter = null;
          r();
        };
      });
    }
  }

  get total(): number {
    return this.received;
  }

  /** Round trips of `size`-byte messages, one at a time (ms each). */
  async echoes(n: number, size: number): Promise<number[]> {
    const out: number[] = [];
    const msg = Buffer.alloc(size, 'x');
    for (let i = 0; i < n; i++) {
      const want = this.received + size;
      const t0 = process.hrtime.bigint();
      this.ws.send(msg);
      await this.until(want);
      out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return out;
  }

  /** MB/s of `bytes` sent in chunks, at most {@link WINDOW} in flight, until all came back. */
  async stream(bytes: number): Promise<number> {
    const chunk = Buffer.alloc(CHUNK, 'y');
    const base = this.received;
    const t0 = process.hrtime.bigint();
    let sent = 0;
    while (sent < bytes) {
      while (sent - (this.received - base) > WINDOW) await this.until(base + sent - WINDOW);
      this.ws.send(chunk);
      sent += chunk.length;
    }
    await this.until(base + sent);
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    return sent / 1e6 / sec;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

/** CPU time (ms, user + system) a process has used, from /proc; null when it cannot be read. */
function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The stack's wsproxy and compute processes (tools/stack writes `run/zun-<service>.pid`). */
function servicePids(state: string): number[] {
  return ['wsproxy', 'compute']
    .map((svc) => `${state}/run/zun-${svc}.pid`)
    .filter((f) => existsSync(f))
    .map((f) => Number(readFileSync(f, 'utf8').trim()))
    .filter((pid) => cpuMs(pid) !== null);
}

const cpuOf = (pids: number[]): number => pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const state = stateDir(process.argv.slice(2));
  const conf = loadConfig(['--config-file', `${state}/zun.conf`], { warn: () => undefined });
  const host = conf.api.host_ip === '0.0.0.0' ? '127.0.0.1' : conf.api.host_ip;
  const api = new Api(`http://${host}:${conf.api.port}`, await keystoneToken(readOpenrc(`${state}/demo-openrc`)));
  const socket = /^unix:\/\/(\/.+)$/.exec(conf.docker.docker_remote_api_host)?.[1];
  if (!socket) throw new Error(`[docker] docker_remote_api_host is not a unix socket: ${conf.docker.docker_remote_api_host}`);

  console.log(`attach benchmark: ${cpus().length} cpus, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
    `${ROUNDS} rounds per path, ${ECHOES} echoes of ${ECHO_BYTES} B, ${STREAM_MIB} MiB streamed per round`);
  const created = await api.call('POST', '/v1/containers?run=true', {
    name: `bench-attach-${process.pid}`,
    image: 'busybox',
    command: ['cat'],
    interactive: true,
    tty: false,
    cpu: 0.1,
    memory: '64',
  });
  if (created.status !== 202) throw new Error(`create: ${created.status} ${created.text}`);
  const uuid = (created.body as { uuid: string }).uuid;
  try {
    for (let i = 0; ; i++) {
      const c = (await api.call('GET', `/v1/containers/${uuid}`)).body as { status: string; status_reason: string | null };
      if (c.status === 'Running') break;
      if (c.status === 'Error' || i > 600) throw new Error(`container did not run: ${c.status} ${c.status_reason ?? ''}`);
      await sleep(100);
    }
    const direct = async (): Promise<Session> =>
      Session.open(`ws+unix://${socket}:/v1.41/containers/zun-${uuid}/attach/ws?logs=0&stream=1&stdin=1&stdout=1&stderr=1`);
    const proxied = async (): Promise<Session> => {
      const r = await api.call('GET', `/v1/containers/${uuid}/attach`);
      if (r.status !== 200 || typeof r.body !== 'string') throw new Error(`attach: ${r.status} ${r.text}`);
      return Session.open(r.body, ['binary', 'base64']);
    };
    const paths: Array<[string, () => Promise<Session>]> = [['direct docker attach/ws', direct], ['zun-wsproxy + relay', proxied]];
    const rtt = new Map<string, number[]>();
    const mbps = new Map<string, number[]>();
    const pids = servicePids(state);
    /** CPU ms the proxy's processes (wsproxy + compute) spent per MB streamed through them. */
    const proxyCpu: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, open] of round % 2 === 0 ? paths : [...paths].reverse()) {
        const s = await open();
        await s.echoes(WARMUP_ECHOES, ECHO_BYTES);
        rtt.set(name, [...(rtt.get(name) ?? []), ...(await s.echoes(ECHOES, ECHO_BYTES))]);
        const cpu0 = cpuOf(pids);
        mbps.set(name, [...(mbps.get(name) ?? []), await s.stream(STREAM_MIB * 1024 * 1024)]);
        if (name === paths[1]?.[0] && pids.length) proxyCpu.push((cpuOf(pids) - cpu0) / ((STREAM_MIB * 1024 * 1024) / 1e6));
        await s.close();
      }
    }

    const [dName, pName] = paths.map((p) => p[0]) as [string, string];
    const d = { p50: median(rtt.get(dName) ?? []), p99: percentile(rtt.get(dName) ?? [], 99), mbps: median(mbps.get(dName) ?? []) };
    const p = { p50: median(rtt.get(pName) ?? []), p99: percentile(rtt.get(pName) ?? [], 99), mbps: median(mbps.get(pName) ?? []) };
    const rows: string[][] = [
      ['measure', 'zun-ts (wsproxy)', 'direct docker', 'ratio / delta', 'target', 'met?'],
      ['echo round trip p50 (ms)', p.p50.toFixed(3), d.p50.toFixed(3), `+${(p.p50 - d.p50).toFixed(3)} ms`, `≤ +${TARGETS.p50ExtraMs} ms`, p.p50 - d.p50 <= TARGETS.p50ExtraMs ? 'yes' : 'NO'],
      ['echo round trip p99 (ms)', p.p99.toFixed(3), d.p99.toFixed(3), `+${(p.p99 - d.p99).toFixed(3)} ms`, '-', '-'],
      ['throughput (MB/s, median)', p.mbps.toFixed(1), d.mbps.toFixed(1), `${(p.mbps / d.mbps).toFixed(2)}×`, `≥ ${TARGETS.throughputRatio}×`, p.mbps / d.mbps >= TARGETS.throughputRatio ? 'yes' : 'NO'],
    ];
    const results = benchResults('attach');
    const rttOf = (name: string, q: number): number => percentile(rtt.get(name) ?? [], q);
    results.add({ figure: `console echo round trip, ${ECHO_BYTES} B`, ours: p.p50, oursP90: rttOf(pName, 90), reference: d.p50, referenceP90: rttOf(dName, 90), unit: 'ms', ratio: p.p50 / d.p50, target: `≤ +${TARGETS.p50ExtraMs} ms`, met: p.p50 - d.p50 <= TARGETS.p50ExtraMs });
    results.add({ figure: `console throughput, ${STREAM_MIB} MiB`, ours: p.mbps, reference: d.mbps, unit: 'MB/s', ratio: p.mbps / d.mbps, target: `≥ ${TARGETS.throughputRatio}×`, met: p.mbps / d.mbps >= TARGETS.throughputRatio });
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | '));
    const dRounds = mbps.get(dName) ?? [];
    const pRounds = mbps.get(pName) ?? [];
    console.log(`per-round throughput (MB/s): direct ${dRounds.map((v) => v.toFixed(1)).join(', ')}; proxied ${pRounds.map((v) => v.toFixed(1)).join(', ')}`);
    // Each round measures both paths back to back: their ratio is the figure least moved by other load.
    console.log(`per-round ratio proxied/direct: ${pRounds.map((v, i) => (v / (dRounds[i] ?? Number.NaN)).toFixed(2)).join(', ')} (median ${median(pRounds.map((v, i) => v / (dRounds[i] ?? Number.NaN))).toFixed(2)})`);
    if (proxyCpu.length) results.add({ figure: 'CPU of wsproxy + compute per MB streamed', ours: median(proxyCpu), reference: null, unit: 'ms/MB', ratio: null, target: null, met: null });
    if (proxyCpu.length) console.log(`CPU of zun-wsproxy + zun-compute while streaming: ${median(proxyCpu).toFixed(1)} ms per MB echoed (median of ${proxyCpu.length} rounds)`);
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    const del = await api.call('DELETE', `/v1/containers/${uuid}?stop=True`);
    if (del.status !== 204) console.error(`cleanup: delete ${uuid} answered ${del.status} ${del.text}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
