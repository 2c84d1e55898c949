import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root';

const run = promisify(execFile);

/** One simulated compute host of `tools/sim-hosts`: a network namespace with its own dockerd. */
export interface SimHost {
  /** `zsim<index>`; use it as the compute service's `[DEFAULT] host`. */
  name: string;
  index: number;
  state: 'up' | 'down';
  /** `unix:///…/docker.sock`: the compute service's `[docker] docker_remote_api_host`. */
  dockerHost: string;
  /** The socket path of `dockerHost` (for dockerode's `socketPath`). */
  socketPath: string;
  /** `10.99.0.1:5050`: the registry this host pulls from, its `[docker] default_registry`. */
  registry: string;
  /** The host's address on the sim bridge: its `[network] underlay_ip`. */
  address: string;
  /** `/run/netns/<name>`: the host's network namespace, its `[network] netns`. */
  netns: string;
  /** The daemon's labels (`docker info`), `zun.host` included. */
  labels: Record<string, string>;
}

/** Options of {@link startSimHosts}. */
export interface SimHostsOptions {
  /** State dir (default: $ZUN_SIM_HOSTS_STATE, else `<repo>/.stack/sim-hosts`). */
  stateDir?: string;
  /**
   * The registry whose storage the hosts' registry serves (default:
   * $ZUN_TEST_REGISTRY, else 127.0.0.1:5050), or `'none'` for an own one.
   */
  registry?: string;
  /** Extra daemon labels by host index: `{ 2: { zone: 'fast' } }`. */
  labels?: Record<number, Record<string, string>>;
  /** Limit for the whole command (default 180 s). */
  timeoutMs?: number;
}

function stateArgs(stateDir: string | undefined): string[] {
  return stateDir ? ['--state', stateDir] : [];
}

async function simHostsTool(args: string[], timeoutMs: number): Promise<string> {
  const tool = join(repoRoot(), 'tools', 'sim-hosts');
  try {
    const { stdout } = await run(tool, args, { cwd: repoRoot(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { code?: number | string; signal?: string; stdout?: string; stderr?: string; message: string };
    const how = e.signal ? `killed by ${e.signal}${e.signal === 'SIGTERM' ? ` after ${timeoutMs} ms` : ''}` : `exit ${String(e.code)}`;
    throw new Error(`tools/sim-hosts ${args.join(' ')} failed (${how})\n${e.stderr ?? e.message}`);
  }
}

/** The host lines `tools/sim-hosts up|status` print (`host=zsim1 state=up docker_host=… …`). */
export function parseSimHostLines(text: string): SimHost[] {
  const hosts: SimHost[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('host=')) continue;
    const fields: Record<string, string> = {};
    for (const word of line.trim().split(/\s+/)) {
      const eq = word.indexOf('=');
      if (eq > 0) fields[word.slice(0, eq)] = word.slice(eq + 1);
    }
    const name = fields['host'] ?? '';
    const index = Number(/^zsim(\d+)$/.exec(name)?.[1]);
    const dockerHost = fields['docker_host'] ?? '';
    if (!Number.isInteger(index) || !dockerHost.startsWith('unix://')) throw new Error(`unexpected line from tools/sim-hosts: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (fields['labels'] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    hosts.push({
      name,
      index,
      state: fields['state'] === 'up' ? 'up' : 'down',
      dockerHost,
      socketPath: dockerHost.slice('unix://'.length),
      registry: fields['registry'] ?? '',
      address: fields['address'] ?? '',
      netns: `/run/netns/${name}`,
      labels,
    });
  }
  return hosts;
}

/**
 * Brings up exactly `n` simulated compute hosts (zsim1..zsimN; hosts above `n`
 * from an earlier call are removed) and returns them, all answering. Runs as
 * root; idempotent: hosts already up with the same labels are kept as they are.
 */
export async function startSimHosts(n: number, opts: SimHostsOptions = {}): Promise<SimHost[]> {
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`startSimHosts: n must be 1..50, got ${n}`);
  const args = ['up', String(n), ...stateArgs(opts.stateDir)];
  const registry = opts.registry ?? process.env['ZUN_TEST_REGISTRY'];
  if (registry) args.push('--registry', registry);
  for (const [index, labels] of Object.entries(opts.labels ?? {})) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    if (pairs.length) args.push('--labels', `${index}:${pairs.join(',')}`);
  }
  const hosts = parseSimHostLines(await simHostsTool(args, opts.timeoutMs ?? 180_000));
  const down = hosts.filter((h) => h.state !== 'up');
  if (hosts.length !== n || down.length) {
    throw new Error(`tools/sim-hosts up ${n} reported ${hosts.length} host(s), down: ${down.map((h) => h.name).join(', ') || 'none'}`);
  }
  return hosts;
}

/** Stops every simulated host and deletes their namespaces, bridge and registry process. */
export async function stopSimHosts(opts: { stateDir?: string; timeoutMs?: number } = {}): Promise<void> {
  await simHostsTool(['down', ...stateArgs(opts.stateDir)], opts.timeoutMs ?? 180_000);
}

/** The simulated hosts that exist now, up or down (none: `[]`). */
export async function simHostsStatus(opts: { stateDir?: string } = {}): Promise<SimHost[]> {
  const tool = join(repoRoot(), 'tools', 'sim-hosts');
  try {
    const { stdout } = await run(tool, ['status', ...stateArgs(opts.stateDir)], { cwd: repoRoot(), timeout: 60_000 });
    return parseSimHostLines(stdout);
  } catch (err) {
    // status exits non-zero when a host is down (1) or there is none (3): the lines still count
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if ((e.code === 1 || e.code === 3) && typeof e.stdout === 'string') return parseSimHostLines(e.stdout);
    throw new Error(`tools/sim-hosts status failed: ${e.stderr ?? String(err)}`);
  }
}

/** The zun.conf options of a compute service driving one simulated host (a type, so it is a ZunConfSections). */
export type SimHostConf = {
  DEFAULT: { host: string };
  docker: { docker_remote_api_host: string; default_registry: string };
  network: { underlay_ip: string; netns: string };
};

/**
 * The zun.conf options that make a compute service drive `host`: `[DEFAULT] host`, `[docker]`, and `[network]`
 * (the host's address as its VXLAN underlay, and its namespace for the network driver's host commands).
 */
export function simHostConf(host: SimHost): SimHostConf {
  return {
    DEFAULT: { host: host.name },
    docker: { docker_remote_api_host: host.dockerHost, default_registry: host.registry },
    network: { underlay_ip: host.address, netns: host.netns },
  };
}
