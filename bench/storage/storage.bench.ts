// Volume cost against a running all-in-one stack: run → Running with one new 1 GiB volume against without,
// beside the host steps a local volume costs (sparse file, mkfs.ext4, loop mount, umount) timed in the same run.
// Run (as root): node --import tsx bench/storage/storage.bench.ts [--state .stack]
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, rmdir, unlink } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { adminContext } from '@zun-ts/common';
import { execFileRunner, LocalVolumeDriver, type MountEntry, mkfsCommand, readMounts } from '@zun-ts/volume-driver-local';
import { agent, deleteAndWait, openStack, readStackConf, type RunBody, runToRunning, type Stack, type StackConf, stateArg } from '../stack-client';
import { benchResults, fmt, median, percentile } from '../stats';

const env = process.env;
const RUNS = Number(env.BENCH_RUNS ?? 20);
const WARMUP_RUNS = Number(env.BENCH_WARMUP_RUNS ?? 2);
/** Which parts to run (comma list of raw, runs); both by default. */
const PHASES = new Set((env.BENCH_PHASES ?? 'raw,runs').split(',').map((p) => p.trim()));
const POLL_MS = 20;
const RUNNING_TIMEOUT_MS = 60_000;
const DELETE_TIMEOUT_MS = 60_000;
const COMMAND = ['sleep', '3600'];
const CPU = Number(env.BENCH_CPU ?? 0.1);
const MEMORY_MIB = Number(env.BENCH_MEMORY ?? 64);
const VOLUME_GIB = 1;
const DESTINATION = '/data';
const GiB = 1024 ** 3;
const TARGET_ADDED_MS = 300;

const host = execFileRunner();

interface Ctx {
  stack: Stack | null;
  docker: Docker | null;
  runId: string;
  /** Containers made through the API, removed at the end whatever happens. */
  zunMade: Set<string>;
  /** Scratch directory of the host steps (files, mount points, the driver's prefix), removed at the end. */
  scratch: string | null;
  /** The mount prefix when this run made it (removed at the end if still empty). */
  madePrefix: string | null;
  stopping: boolean;
  /** The step under way; cleanup waits for it (bounded) so that nothing is made behind its back. */
  inFlight: Promise<unknown> | null;
  cleaning: Promise<void> | null;
}

// ------------------------------------------------------------------ host steps

/** `[volume] mount_prefix` when zun.conf sets it, else `<state>/volumes` (where the stack puts it). */
function mountPrefix(stack: StackConf): string {
  const section = /^\s*\[volume\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(stack.confText)?.[1] ?? '';
  return /^\s*mount_prefix\s*=/m.test(section) ? stack.conf.volume.mount_prefix : resolve(stack.state, 'volumes');
}

/** The mount that holds `path` (longest mount point that is a prefix of it). */
function mountOf(mounts: MountEntry[], path: string): MountEntry | undefined {
  return mounts
    .filter((m) => m.mountPoint === '/' || path === m.mountPoint || path.startsWith(`${m.mountPoint}/`))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
}

/** A scratch dir under the mount prefix (made when missing, as the driver would) or, without a stack, os.tmpdir(). */
async function makeScratch(c: Ctx, conf: StackConf | null): Promise<string> {
  const base = conf ? mountPrefix(conf) : tmpdir();
  if (!existsSync(base)) {
    await mkdir(base, { recursive: true, mode: 0o711 });
    c.madePrefix = base;
  }
  c.scratch = await mkdtemp(join(base, `.bench-storage-${c.runId}-`));
  return c.scratch;
}

/** Runs one step unless the run is being stopped; its time goes into `into`. */
async function timed(c: Ctx, into: number[] | null, step: () => Promise<unknown>): Promise<void> {
  if (c.stopping) throw new Error('stopped');
  const t0 = performance.now();
  c.inFlight = step();
  await c.inFlight;
  into?.push(performance.now() - t0);
}

interface RawFigures {
  truncate: number[];
  mkfs: number[];
  mount: number[];
  umount: number[];
  driverCreate: number[];
  driverAttach: number[];
  driverDetach: number[];
  driverDelete: number[];
}

/** The steps one by one, as root: what `mounts: [{size: 1}]` costs the compute host before Docker sees a bind mount. */
async function rawSteps(c: Ctx, scratch: string): Promise<RawFigures> {
  const f: RawFigures = { truncate: [], mkfs: [], mount: [], umount: [], driverCreate: [], driverAttach: [], driverDetach: [], driverDelete: [] };
  const driver = new LocalVolumeDriver({ mountPrefix: join(scratch, 'driver') });
  const ctx = adminContext();
  for (let i = -WARMUP_RUNS; i < RUNS; i++) {
    const keep = i >= 0;
    const id = randomUUID();
    const file = join(scratch, `${id}.img`);
    const mountPoint = join(scratch, id);
    await timed(c, null, () => mkdir(mountPoint));
    await timed(c, keep ? f.truncate : null, async () => {
      const fh = await open(file, 'w', 0o600);
      try {
        await fh.truncate(VOLUME_GIB * GiB);
      } finally {
        await fh.close();
      }
    });
    await timed(c, keep ? f.mkfs : null, () => host(...mkfsCommand('ext4', id, file)));
    await timed(c, keep ? f.mount : null, () => host('mount', ['-t', 'ext4', '-o', 'loop,nodev,nosuid', file, mountPoint]));
    await timed(c, keep ? f.umount : null, () => host('umount', [mountPoint]));
    await timed(c, null, () => unlink(file));
    await timed(c, null, () => rmdir(mountPoint));

    // The same through the local driver, which adds the immutable mount point, the rename, fsyncs and checks.
    const vid = randomUUID();
    await timed(c, keep ? f.driverCreate : null, () => driver.create(ctx, { volume_id: vid, size: VOLUME_GIB, fstype: 'ext4' }));
    await timed(c, keep ? f.driverAttach : null, () => driver.attach(ctx, vid));
    await timed(c, keep ? f.driverDetach : null, () => driver.detach(ctx, vid));
    await timed(c, keep ? f.driverDelete : null, () => driver.delete(ctx, vid));
  }
  return f;
}

/** Unmounts whatever is still mounted in the scratch dir (deepest first), then removes it. */
async function removeScratch(dir: string): Promise<void> {
  const inside = (await readMounts()).filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(`${dir}/`));
  for (const m of inside.sort((a, b) => b.mountPoint.length - a.mountPoint.length)) {
    await host('umount', [m.mountPoint]).catch(() => host('umount', ['-l', m.mountPoint]));
  }
  // The driver makes empty mount points immutable.
  await host('chattr', ['-R', '-i', dir]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

// ------------------------------------------------------------------ runs through the API

interface RunFigures {
  withVolume: number[];
  without: number[];
  deleteWith: number[];
  deleteWithout: number[];
}

function runBody(name: string, volume: boolean): RunBody {
  const body: RunBody = { name, image: 'busybox', command: COMMAND, cpu: CPU, memory: String(MEMORY_MIB) };
  return volume ? { ...body, mounts: [{ size: VOLUME_GIB, destination: DESTINATION }] } : body;
}

/** Docker's view of the container: a volume run must have a bind mount at the destination. */
async function checkMounted(c: Ctx, uuid: string): Promise<void> {
  if (!c.docker) return;
  const info = await c.docker.getContainer(`zun-${uuid}`).inspect();
  const m = info.Mounts.find((x) => x.Destination === DESTINATION);
  if (!m) throw new Error(`container ${uuid} is Running without a mount at ${DESTINATION}: this stack does not make volumes yet`);
}

async function oneRun(c: Ctx, stack: Stack, i: number, volume: boolean, out: RunFigures | null): Promise<void> {
  const name = `bench-${c.runId}-${volume ? 'vol' : 'plain'}-${i}`;
  const accepted = (uuid: string): void => void c.zunMade.add(uuid);
  const r = await runToRunning(stack.api, stack.demo, runBody(name, volume), { pollMs: POLL_MS, timeoutMs: RUNNING_TIMEOUT_MS, accepted });
  if (volume) await checkMounted(c, r.uuid);
  const t0 = performance.now();
  await deleteContainers(c, stack, [r.uuid]);
  const deleteMs = performance.now() - t0;
  if (out) {
    (volume ? out.withVolume : out.without).push(r.ms);
    (volume ? out.deleteWith : out.deleteWithout).push(deleteMs);
  }
}

async function deleteContainers(c: Ctx, stack: Stack, uuids: string[]): Promise<void> {
  const left = await deleteAndWait(stack.api, stack.admin, stack.demo, uuids, DELETE_TIMEOUT_MS);
  for (const u of uuids) if (!left.includes(u)) c.zunMade.delete(u);
  if (left.length) throw new Error(`${left.length} containers still listed after delete: ${left.slice(0, 3).join(', ')}`);
}

/** With and without a volume in turns (which goes first alternates too), warm-ups first. */
async function runs(c: Ctx, stack: Stack): Promise<RunFigures> {
  const out: RunFigures = { withVolume: [], without: [], deleteWith: [], deleteWithout: [] };
  for (let i = -WARMUP_RUNS; i < RUNS; i++) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const volume of order) await timed(c, null, () => oneRun(c, stack, i, volume, i >= 0 ? out : null));
  }
  return out;
}

// ------------------------------------------------------------------ report and main

function cleanup(c: Ctx): Promise<void> {
  c.stopping = true;
  c.cleaning ??= (async () => {
    await Promise.race([c.inFlight?.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    const problems: string[] = [];
    if (c.stack) {
      const stack = c.stack;
      // Also whatever carries this run's name prefix, in case a reply was lost.
      for (const uuid of await stack.api.named(stack.demo, `bench-${c.runId}-`).catch(() => [])) c.zunMade.add(uuid);
      if (c.zunMade.size) await deleteContainers(c, stack, [...c.zunMade]).catch((e: unknown) => problems.push(`containers: ${String(e)}`));
    }
    if (c.scratch) await removeScratch(c.scratch).catch((e: unknown) => problems.push(`${c.scratch ?? ''}: ${String(e)}`));
    // Left in place when the stack has put volumes there meanwhile.
    if (c.madePrefix) await rmdir(c.madePrefix).catch(() => undefined);
    if (problems.length) console.error(`cleanup left things behind:\n  ${problems.join('\n  ')}`);
  })();
  return c.cleaning;
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}

const stepLine = (label: string, v: number[]): string =>
  `  ${label.padEnd(44)} median ${fmt(median(v), 1).padStart(6)} ms, p90 ${fmt(percentile(v, 90), 1).padStart(6)} ms`;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the host steps format and loop-mount images');
  const state = stateArg(process.argv.slice(2), 'storage.bench.ts');
  const c: Ctx = { stack: null, docker: null, runId: randomUUID().slice(0, 8), zunMade: new Set(), scratch: null, madePrefix: null, stopping: false, inFlight: null, cleaning: null };
  const stopping = (why: string): void => {
    console.error(`${why}: cleaning up`);
    void cleanup(c).finally(() => process.exit(130));
  };
  process.once('SIGINT', () => stopping('interrupted'));
  process.once('SIGTERM', () => stopping('terminated'));

  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
  try {
    // The host steps alone need only zun.conf (for the mount prefix), and without one run under os.tmpdir().
    if (PHASES.has('runs')) c.stack = await openStack(state);
    const conf = c.stack ?? (existsSync(resolve(state, 'zun.conf')) ? readStackConf(state) : null);
    if (c.stack) c.docker = new Docker({ socketPath: c.stack.conf.docker.docker_remote_api_host.replace(/^unix:\/\//, '') });
    console.log(`storage bench (run ${c.runId}): ${c.stack ? `api ${c.stack.api.base}, ` : ''}${cpus().length} cpus, load average ${load()}`);
    console.log(`  ${RUNS} of each after ${WARMUP_RUNS} warm-up; volume: ${VOLUME_GIB} GiB ext4 (mounts [{"size": ${VOLUME_GIB}, "destination": "${DESTINATION}"}])`);
    let raw: RawFigures | null = null;
    let fig: RunFigures | null = null;

    if (PHASES.has('raw')) {
      const scratch = await makeScratch(c, conf);
      const fs = mountOf(await readMounts(), scratch);
      console.log(`\nhost steps in ${scratch} (${fs ? `${fs.fstype} on ${fs.source}` : 'unknown filesystem'}):`);
      raw = await rawSteps(c, scratch);
      console.log(stepLine(`sparse ${VOLUME_GIB} GiB file (open + ftruncate)`, raw.truncate));
      console.log(stepLine('mkfs.ext4 (argv of the driver, below)', raw.mkfs));
      console.log(stepLine('mount -t ext4 -o loop,nodev,nosuid', raw.mount));
      console.log(stepLine('umount', raw.umount));
      console.log(`  (${mkfsCommand('ext4', '<id>', '<file>').flat().join(' ')})`);
      console.log('  the same through LocalVolumeDriver (+ chattr, rename, fsync, mountinfo and /sys reads):');
      console.log(stepLine('create', raw.driverCreate));
      console.log(stepLine('attach', raw.driverAttach));
      console.log(stepLine('detach', raw.driverDetach));
      console.log(stepLine('delete (waits for the loop device to go)', raw.driverDelete));
    }

    if (PHASES.has('runs') && c.stack) {
      fig = await runs(c, c.stack);
      console.log(`\nrun → Running as demo (POST run=true, then GET every ${POLL_MS} ms), with and without the volume in turns:`);
      for (const [label, v, d] of [['with volume', fig.withVolume, fig.deleteWith], ['without', fig.without, fig.deleteWithout]] as const) {
        console.log(`  ${label.padEnd(12)} median ${fmt(median(v))} ms, p90 ${fmt(percentile(v, 90))} ms, min ${fmt(Math.min(...v))}, max ${fmt(Math.max(...v))}; ` +
          `force delete → gone median ${fmt(median(d))} ms`);
      }
    }

    const rows: string[][] = [];
    const results = benchResults('storage');
    if (fig) {
      const added = median(fig.withVolume) - median(fig.without);
      const met = added <= TARGET_ADDED_MS;
      rows.push(['run → Running, median (ms)', fmt(median(fig.withVolume)), fmt(median(fig.without)), `+${fmt(added)}`, `≤ +${TARGET_ADDED_MS} ms`, met ? 'yes' : 'NO']);
      const p90 = (v: number[]): number => percentile(v, 90);
      rows.push(['run → Running, p90 (ms)', fmt(p90(fig.withVolume)), fmt(p90(fig.without)), `+${fmt(p90(fig.withVolume) - p90(fig.without))}`, '', '']);
      rows.push(['force delete → gone, median (ms)', fmt(median(fig.deleteWith)), fmt(median(fig.deleteWithout)), `+${fmt(median(fig.deleteWith) - median(fig.deleteWithout))}`, '', '']);
      results.add({ figure: `run → Running with a ${VOLUME_GIB} GiB volume (ref: without)`, ours: median(fig.withVolume), oursP90: p90(fig.withVolume), reference: median(fig.without), referenceP90: p90(fig.without), unit: 'ms', ratio: median(fig.withVolume) / median(fig.without), target: null, met: null });
      results.add({ figure: 'cost a new volume adds to run → Running (median)', ours: added, reference: null, unit: 'ms', ratio: null, target: `≤ ${TARGET_ADDED_MS} ms`, met });
      results.add({ figure: 'force delete → gone with a volume (ref: without)', ours: median(fig.deleteWith), oursP90: p90(fig.deleteWith), reference: median(fig.deleteWithout), referenceP90: p90(fig.deleteWithout), unit: 'ms', ratio: median(fig.deleteWith) / median(fig.deleteWithout), target: null, met: null });
      console.log('\n' + table(['measure', 'with volume', 'without', 'added', 'target', 'met?'], rows).join('\n'));
      console.log(`volume adds ${fmt(added)} ms at the median (target ≤ ${TARGET_ADDED_MS} ms): ${met ? 'PASS' : 'MISS'}`);
    }
    if (raw) {
      const steps: [string, number[]][] = [['mkfs.ext4', raw.mkfs], ['loop mount', raw.mount], ['umount', raw.umount], ['LocalVolumeDriver create', raw.driverCreate], ['LocalVolumeDriver attach', raw.driverAttach]];
      for (const [step, v] of steps) results.add({ figure: `host step: ${step}`, ours: median(v), oursP90: percentile(v, 90), reference: null, unit: 'ms', ratio: null, target: null, met: null });
      const m = (v: number[]): string => fmt(median(v), 1);
      const sum = median(raw.truncate) + median(raw.mkfs) + median(raw.mount);
      console.log(`${fig ? '' : '\n'}host step medians: truncate ${m(raw.truncate)} ms, mkfs.ext4 ${m(raw.mkfs)} ms, mount ${m(raw.mount)} ms ` +
        `(sum ${fmt(sum, 1)} ms before the container starts), umount ${m(raw.umount)} ms; ` +
        `driver create ${m(raw.driverCreate)} + attach ${m(raw.driverAttach)} ms, detach ${m(raw.driverDetach)} + delete ${m(raw.driverDelete)} ms`);
    }
    console.log(`load average at the end: ${load()}`);
  } finally {
    await cleanup(c);
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
