// Project network benchmark: container-to-container TCP throughput and ping round trip on a VXLAN project
// network (VxlanNetworkDriver, ADR 0007) on one host and across two simulated hosts (tools/sim-hosts), beside
// two raw containers on one plain Docker bridge network of the first host, measured in the same run.
// Run (as root): node --import tsx bench/networks/networks.bench.ts [--state DIR]
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { type NetworkSpec, type PortSpec } from '@zun-ts/network-driver';
import { VxlanNetworkDriver } from '@zun-ts/network-driver-vxlan';
import { repoRoot, type SimHost, simHostsStatus, startSimHosts, stopSimHosts } from '@zun-ts/testing';
import { benchResults, fmt, median, percentile } from '../stats';

const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 5);
const PINGS = Number(env.BENCH_PINGS ?? 20);
const TRANSFER_MIB = Number(env.BENCH_TRANSFER_MIB ?? 1024);
const WARMUP_MIB = 32;
/** The whole run (sim hosts included) stops and cleans up after this long. */
const MAX_MS = Number(env.BENCH_MAX_SECONDS ?? 360) * 1000;
/** Bound on one transfer; a stalled path fails the run instead of hanging it. */
const TRANSFER_TIMEOUT_MS = 120_000;
const TARGETS = { sameHost: 0.9, crossHost: 0.5 };
const LABEL = 'zun.bench.networks';
const PROBE = resolve(__dirname, 'tcp-probe.ts');

const run = promisify(execFile);

// ------------------------------------------------------------------ small helpers


function stateArg(argv: string[]): string | undefined {
  let state: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--state') state = argv[++i];
    else if (a.startsWith('--state=')) state = a.slice('--state='.length);
    else throw new Error(`unknown argument ${a} (usage: networks.bench.ts [--state SIM_HOSTS_STATE_DIR])`);
  }
  return state === undefined ? undefined : resolve(state);
}

async function dockerCli(host: SimHost, args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run('docker', ['-H', host.dockerHost, ...args], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 });
  return stdout;
}

/** Jiffies of all CPUs from /proc/stat: busy (all but idle and iowait) and softirq. */
function cpuTimes(): { total: number; busy: number; softirq: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((s, v) => s + v, 0);
  return { total, busy: total - (f[3] ?? 0) - (f[4] ?? 0), softirq: f[6] ?? 0 };
}

// ------------------------------------------------------------------ the set-up

interface Endpoint {
  host: SimHost;
  container: string;
  /** The container's init pid (the sim hosts' engines share the machine's pid namespace). */
  pid: number;
  ip: string;
}

interface BenchPath {
  key: 'raw' | 'same' | 'cross';
  label: string;
  from: Endpoint;
  to: Endpoint;
}

interface Ctx {
  runId: string;
  state: string | undefined;
  hosts: SimHost[];
  startedHosts: boolean;
  drivers: Map<string, VxlanNetworkDriver>;
  net: NetworkSpec | null;
  rawNetwork: string | null;
  children: Set<ChildProcess>;
  cleaning: Promise<void> | null;
}

function vxlanSpec(runId: string, peers: string[]): NetworkSpec {
  const third = randomInt(0, 256);
  return {
    id: randomUUID(), name: `bench-${runId}`, projectId: 'bench', cidr: `10.238.${third}.0/24`, gateway: `10.238.${third}.1`,
    subnetId: randomUUID(), shared: false, natEgress: false, segmentationId: randomInt(100_000, 16_000_000), peers,
  };
}

async function startContainer(c: Ctx, host: SimHost, name: string, networkMode: string, endpointsConfig: Docker.EndpointsConfig): Promise<Endpoint> {
  const api = new Docker({ socketPath: host.socketPath });
  const ctr = await api.createContainer({
    name, Image: `${host.registry}/busybox:latest`, Cmd: ['sleep', '3600'], Labels: { [LABEL]: c.runId },
    HostConfig: { NetworkMode: networkMode }, NetworkingConfig: { EndpointsConfig: endpointsConfig },
  });
  await ctr.start();
  const info = await ctr.inspect();
  const ip = info.NetworkSettings.Networks[networkMode]?.IPAddress ?? '';
  if (!info.State.Pid || !ip) throw new Error(`container ${name} on ${host.name}: no pid or address`);
  return { host, container: name, pid: info.State.Pid, ip };
}

async function setUp(c: Ctx): Promise<BenchPath[]> {
  const up = (await simHostsStatus(c.state ? { stateDir: c.state } : {})).filter((h) => h.state === 'up').length;
  // The hosts are machine-wide: keep any that are up (asking for fewer would remove the extra ones). A failed
  // `up` is left as it is (it may have met hosts of another state dir): its message says what to do.
  c.hosts = await startSimHosts(Math.max(2, up), c.state ? { stateDir: c.state } : {});
  c.startedHosts = up === 0;
  const [h1, h2] = c.hosts as [SimHost, SimHost];
  console.log(`  sim hosts: ${c.hosts.map((h) => `${h.name} ${h.address}`).join(', ')} (${c.startedHosts ? 'started by this run' : 'already up, kept'})`);
  await Promise.all([h1, h2].map((h) => dockerCli(h, ['pull', '-q', `${h.registry}/busybox:latest`], 120_000)));

  for (const h of [h1, h2]) c.drivers.set(h.name, new VxlanNetworkDriver({ docker: h.socketPath, underlayAddress: h.address, netns: h.name }));
  const drv = (h: SimHost): VxlanNetworkDriver => c.drivers.get(h.name) as VxlanNetworkDriver;
  const net = vxlanSpec(c.runId, [h1.address, h2.address]);
  c.net = net;
  await Promise.all([h1, h2].map((h) => drv(h).ensureNetwork(net)));
  const port = (last: number): PortSpec => ({ id: randomUUID(), networkId: net.id, fixedIp: net.cidr.replace(/0\/24$/, String(last)), preserveOnDelete: false });
  const vx = async (h: SimHost, name: string, last: number): Promise<Endpoint> => {
    const n = await drv(h).createNetworking(port(last));
    return startContainer(c, h, name, n.networkMode, n.endpointsConfig);
  };

  const rawName = `zun-bench-raw-${c.runId}`;
  await dockerCli(h1, ['network', 'create', '--driver', 'bridge', '--label', `${LABEL}=${c.runId}`, rawName]);
  c.rawNetwork = rawName;
  const raw = (name: string): Promise<Endpoint> => startContainer(c, h1, name, rawName, { [rawName]: {} });

  const [rA, rB, vA, vB, vC] = await Promise.all([
    raw(`bench-raw-a-${c.runId}`), raw(`bench-raw-b-${c.runId}`),
    vx(h1, `bench-vx-a-${c.runId}`, 10), vx(h1, `bench-vx-b-${c.runId}`, 11), vx(h2, `bench-vx-c-${c.runId}`, 20),
  ]);
  const mtu = async (e: Endpoint): Promise<string> => (await dockerCli(e.host, ['exec', e.container, 'cat', '/sys/class/net/eth0/mtu'])).trim();
  console.log(`  raw bridge ${rawName} on ${h1.name}: ${rA.ip} → ${rB.ip} (MTU ${await mtu(rA)})`);
  console.log(`  VXLAN network ${net.cidr} VNI ${net.segmentationId}: ${vA.ip}@${h1.name} → ${vB.ip}@${h1.name} and → ${vC.ip}@${h2.name} (MTU ${await mtu(vA)})`);
  return [
    { key: 'raw', label: 'raw bridge, same host', from: rA, to: rB },
    { key: 'same', label: 'vxlan, same host', from: vA, to: vB },
    { key: 'cross', label: 'vxlan, cross host', from: vA, to: vC },
  ];
}

async function cleanup(c: Ctx): Promise<void> {
  c.cleaning ??= (async () => {
    for (const child of c.children) child.kill('SIGKILL');
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    for (const h of c.hosts) {
      await attempt(`containers on ${h.name}`, async () => {
        const ids = (await dockerCli(h, ['ps', '-aq', '--filter', `label=${LABEL}=${c.runId}`])).split('\n').filter(Boolean);
        if (ids.length) await dockerCli(h, ['rm', '-f', ...ids], 60_000);
      });
      const drv = c.drivers.get(h.name);
      const net = c.net;
      if (drv && net) {
        await attempt(`VXLAN network on ${h.name}`, async () => {
          if (!(await drv.deleteNetworkIfUnused(net.id))) throw new Error('still in use');
        });
      }
    }
    const h1 = c.hosts[0];
    const rawNetwork = c.rawNetwork;
    if (h1 && rawNetwork) await attempt(`network ${rawNetwork}`, () => dockerCli(h1, ['network', 'rm', rawNetwork]));
    if (c.startedHosts) await attempt('sim hosts', () => stopSimHosts(c.state ? { stateDir: c.state } : {}));
    for (const p of problems) console.error(`cleanup: ${p}`);
    if (problems.length) console.log(`cleanup: ${problems.length} problem(s), see above`);
    else if (c.hosts.length) console.log(`cleanup: removed the containers, networks and devices of run ${c.runId}${c.startedHosts ? ' and the sim hosts it started' : ''}`);
  })();
  return c.cleaning;
}

// ------------------------------------------------------------------ the measures

/** Round trips (ms) of `PINGS` pings, one every 0.2 s, from one container to the other. */
async function pingRtts(p: BenchPath, count = PINGS): Promise<number[]> {
  const out = await dockerCli(p.from.host, ['exec', p.from.container, 'ping', '-c', String(count), '-i', '0.2', '-w', String(Math.ceil(count * 0.2) + 5), p.to.ip], 60_000)
    .catch((err: { stdout?: string }) => err.stdout ?? '');
  const rtts = [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  if (rtts.length < count / 2) throw new Error(`${p.label}: only ${rtts.length}/${count} pings answered\n${out}`);
  return rtts;
}

/** Starts one end of tcp-probe.ts in the container's network namespace; resolves with its stdout lines. */
function probe(c: Ctx, e: Endpoint, args: string[]): { lines: AsyncIterator<string>; done: Promise<void> } {
  const child = spawn('nsenter', [`--net=/proc/${e.pid}/ns/net`, process.execPath, '--import', 'tsx', PROBE, ...args], {
    cwd: repoRoot(), stdio: ['ignore', 'pipe', 'inherit'],
  });
  c.children.add(child);
  const done = new Promise<void>((res, rej) => {
    child.once('error', rej);
    child.once('exit', (code, signal) => {
      c.children.delete(child);
      if (code === 0) res();
      else rej(new Error(`tcp-probe ${args[0] ?? ''} in ${e.container} ended with ${signal ?? `exit ${String(code)}`}`));
    });
  });
  done.catch(() => undefined);
  return { lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), done };
}

interface Transfer {
  mbps: number;
  /** Share of the whole machine's CPU time that was busy during the transfer (all cores). */
  machineBusy: number;
  /** Share of the machine's CPU time spent in softirq (the kernel's packet processing). */
  softirq: number;
  /** CPU of the sender and receiver processes, in cores. */
  probeCores: number;
  /** CPU seconds the sender and receiver processes (with the kernel work done on their behalf) spent per GB. */
  probeSecondsPerGb: number;
}

async function nextJson(it: AsyncIterator<string>, what: string): Promise<Record<string, number>> {
  const r = await it.next();
  if (r.done) throw new Error(`${what}: no answer`);
  return JSON.parse(r.value) as Record<string, number>;
}

async function transfer(c: Ctx, p: BenchPath, mib: number): Promise<Transfer> {
  const bytes = mib * 1024 * 1024;
  const recv = probe(c, p.to, ['recv', p.to.ip]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => {
      for (const child of c.children) child.kill('SIGKILL');
      rej(new Error(`${p.label}: transfer of ${mib} MiB took over ${TRANSFER_TIMEOUT_MS / 1000} s`));
    }, TRANSFER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([timeout, (async (): Promise<Transfer> => {
      const { port } = await nextJson(recv.lines, 'receiver');
      const cpu0 = cpuTimes();
      const send = probe(c, p.from, ['send', p.to.ip, String(port), String(bytes)]);
      const got = await nextJson(recv.lines, 'receiver');
      const cpu1 = cpuTimes();
      const sent = await nextJson(send.lines, 'sender');
      await Promise.all([recv.done, send.done]);
      if (got['bytes'] !== bytes) throw new Error(`${p.label}: received ${String(got['bytes'])} of ${bytes} bytes`);
      const ms = got['ms'] ?? Number.NaN;
      const total = cpu1.total - cpu0.total;
      return {
        mbps: bytes / 1e6 / (ms / 1000),
        machineBusy: (cpu1.busy - cpu0.busy) / total,
        softirq: (cpu1.softirq - cpu0.softirq) / total,
        probeCores: ((got['cpuMs'] ?? 0) + (sent['cpuMs'] ?? 0)) / ms,
        probeSecondsPerGb: ((got['cpuMs'] ?? 0) + (sent['cpuMs'] ?? 0)) / 1000 / (bytes / 1e9),
      };
    })()]);
  } finally {
    clearTimeout(timer);
  }
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the benchmark drives network namespaces and dockerd');
  const c: Ctx = {
    runId: randomUUID().slice(0, 8), state: stateArg(process.argv.slice(2)), hosts: [], startedHosts: false,
    drivers: new Map(), net: null, rawNetwork: null, children: new Set(), cleaning: null,
  };
  const stopping = (why: string): void => {
    console.error(`${why}: cleaning up`);
    void cleanup(c).finally(() => process.exit(130));
  };
  process.once('SIGINT', () => stopping('interrupted'));
  process.once('SIGTERM', () => stopping('terminated'));
  const watchdog = setTimeout(() => stopping(`over ${MAX_MS / 1000} s (BENCH_MAX_SECONDS)`), MAX_MS);

  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`networks bench (run ${c.runId}): ${cpus().length} cpus, load ${load()}; ${ROUNDS} rounds of ${PINGS} pings (0.2 s apart) ` +
    `and one ${TRANSFER_MIB} MiB TCP transfer per path (after one ping and a ${WARMUP_MIB} MiB warm-up)`);
  try {
    const paths = await setUp(c);
    for (const p of paths) {
      await pingRtts(p, 2);
      await transfer(c, p, WARMUP_MIB);
    }
    const rtt = new Map<string, number[]>(paths.map((p) => [p.key, []]));
    const tput = new Map<string, Transfer[]>(paths.map((p) => [p.key, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // the paths take turns in going first, so drift in the machine's load spreads over all of them
      const order = paths.map((_, i) => paths[(i + round) % paths.length] as BenchPath);
      for (const p of order) {
        rtt.get(p.key)?.push(...(await pingRtts(p)));
        tput.get(p.key)?.push(await transfer(c, p, TRANSFER_MIB));
      }
      console.log(`  round ${round + 1}: ${order.map((p) => `${p.key} ${fmt(tput.get(p.key)?.at(-1)?.mbps ?? Number.NaN)} MB/s`).join(', ')}`);
    }
    report(paths, rtt, tput);
    console.log(`load average at the end: ${load()}`);
  } finally {
    clearTimeout(watchdog);
    await cleanup(c);
  }
}

function report(paths: BenchPath[], rtt: Map<string, number[]>, tput: Map<string, Transfer[]>): void {
  const mb = (k: string): number[] => (tput.get(k) ?? []).map((t) => t.mbps);
  const rt = (k: string): number[] => rtt.get(k) ?? [];
  const spread = (v: number[], d: number): string => `${fmt(median(v), d)} [${fmt(Math.min(...v), d)}–${fmt(Math.max(...v), d)}]`;
  const rawMb = median(mb('raw'));
  const rawRtt = median(rt('raw'));
  const head = ['path', 'throughput MB/s, median [min–max]', 'ratio', 'target', 'met?', 'ping RTT ms, median [min–max]', 'ratio'];
  const rows = paths.map((p) => {
    const ratio = median(mb(p.key)) / rawMb;
    const target = p.key === 'same' ? TARGETS.sameHost : p.key === 'cross' ? TARGETS.crossHost : null;
    return [
      p.label, spread(mb(p.key), 0), p.key === 'raw' ? '1.00×' : `${fmt(ratio, 2)}×`, target === null ? '' : `≥ ${target}×`,
      target === null ? '' : ratio >= target ? 'PASS' : 'MISS', spread(rt(p.key), 3), p.key === 'raw' ? '1.00×' : `${fmt(median(rt(p.key)) / rawRtt, 2)}×`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log('\n' + line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  const results = benchResults('networks');
  for (const p of paths.filter((x) => x.key !== 'raw')) {
    const ratio = median(mb(p.key)) / rawMb;
    const target = p.key === 'same' ? TARGETS.sameHost : p.key === 'cross' ? TARGETS.crossHost : null;
    results.add({ figure: `${p.label} TCP throughput (ref: raw bridge)`, ours: median(mb(p.key)), reference: rawMb, unit: 'MB/s', ratio, target: target === null ? null : `≥ ${target}×`, met: target === null ? null : ratio >= target });
    results.add({ figure: `${p.label} ping RTT (ref: raw bridge)`, ours: median(rt(p.key)), oursP90: percentile(rt(p.key), 90), reference: rawRtt, referenceP90: percentile(rt('raw'), 90), unit: 'ms', ratio: median(rt(p.key)) / rawRtt, target: null, met: null });
  }
  const rawRounds = mb('raw');
  for (const p of paths.filter((x) => x.key !== 'raw')) {
    const ratios = mb(p.key).map((v, i) => v / (rawRounds[i] ?? Number.NaN));
    // each round measures the paths back to back: their ratio is the figure least moved by other load
    console.log(`per-round throughput ratio ${p.key}/raw: ${ratios.map((r) => fmt(r, 2)).join(', ')} (median ${fmt(median(ratios), 2)})`);
  }
  console.log(`\nCPU while transferring (medians; ${cpus().length} cores shared with whatever else runs on the machine):`);
  console.log(`  ${'path'.padEnd(22)} machine busy | softirq | sender + receiver: cores, CPU s per GB`);
  for (const p of paths) {
    const t = tput.get(p.key) ?? [];
    const pct = (f: (x: Transfer) => number): string => `${fmt(100 * median(t.map(f)))}%`;
    console.log(`  ${p.label.padEnd(22)} ${pct((x) => x.machineBusy).padStart(12)} | ${pct((x) => x.softirq).padStart(7)} | ` +
      `${fmt(median(t.map((x) => x.probeCores)), 2)} cores, ${fmt(median(t.map((x) => x.probeSecondsPerGb)), 2)} s/GB`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
