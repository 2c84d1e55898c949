import type Docker from 'dockerode';
import {
  type ContainerHealth,
  type ContainerNetworkAddress,
  type ContainerState,
  type PublishedPortBinding,
  formatAgo,
  reconcileStatus,
  uuidFromContainerName,
  ZUN_UUID_LABEL,
} from './driver-contract';
import { CONTAINER_STATUSES, type ContainerStatus } from '@zun-ts/objects';

/** The engine's state block, as `GET /containers/{id}/json` returns it. */
export type DockerStateBlock = Docker.ContainerInspectInfo['State'];

/** A Docker timestamp as a Date; null for the zero time (`0001-01-01T00:00:00Z`) or garbage. */
export function dockerTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1) return null;
  return d;
}

/** Zun status, reason and detail from Docker's state, following Zun's Docker driver. */
export interface MappedStatus {
  status: ContainerStatus;
  status_reason: string | null;
  status_detail: string | null;
}

/**
 * Zun's reading of a Docker state: an engine error → Stopped when the container has exited (else the
 * capitalised Docker status); Paused; Restarting; Running; Dead; never started → Created; started and
 * finished → Stopped; started but neither running nor finished → Unknown. `detail` mirrors Zun's
 * (`Up 3 mins`, `Exited(0) 8 mins ago `, `Up 2 hours (paused)`).
 */
export function zunStatusOf(state: DockerStateBlock | null | undefined, now: Date = new Date()): MappedStatus {
  if (!state) return { status: 'Unknown', status_reason: 'container state is missing', status_detail: null };
  const ago = (t: string): string | null => formatAgo(dockerTime(t), now);
  const started = dockerTime(state.StartedAt);
  const finished = dockerTime(state.FinishedAt);
  if (state.Error) {
    const capitalised = state.Status ? state.Status[0]?.toUpperCase() + state.Status.slice(1) : '';
    const status: ContainerStatus =
      state.Status === 'exited' || state.Status === 'removing'
        ? 'Stopped'
        : (CONTAINER_STATUSES as readonly string[]).includes(capitalised)
          ? (capitalised as ContainerStatus)
          : 'Error';
    const a = ago(state.FinishedAt);
    return { status, status_reason: state.Error, status_detail: a === null ? null : `Exited(${state.ExitCode}) ${a} ago (error)` };
  }
  if (state.Paused) {
    const a = ago(state.StartedAt);
    return { status: 'Paused', status_reason: null, status_detail: a === null ? null : `Up ${a} (paused)` };
  }
  if (state.Restarting) return { status: 'Restarting', status_reason: null, status_detail: 'Restarting' };
  if (state.Running) {
    const a = ago(state.StartedAt);
    return { status: 'Running', status_reason: null, status_detail: a === null ? null : `Up ${a}` };
  }
  if (state.Dead) return { status: 'Dead', status_reason: null, status_detail: 'Dead' };
  if (!started) return { status: 'Created', status_reason: null, status_detail: 'Created' };
  if (!finished) return { status: 'Unknown', status_reason: 'unexpected container state', status_detail: '' };
  const a = ago(state.FinishedAt);
  return { status: 'Stopped', status_reason: null, status_detail: a === null ? null : `Exited(${state.ExitCode}) ${a} ago ` };
}

/** Zun status from the one-word state of `GET /containers/json`. */
export function zunStatusOfListState(state: string): ContainerStatus {
  switch (state.toLowerCase()) {
    case 'created':
      return 'Created';
    case 'running':
      return 'Running';
    case 'paused':
      return 'Paused';
    case 'restarting':
      return 'Restarting';
    case 'exited':
    case 'removing':
      return 'Stopped';
    case 'dead':
      return 'Dead';
    default:
      return 'Unknown';
  }
}

/** Ports of `ExposedPorts` keys (`"80/tcp"` → 80), in the engine's order. */
export function portsOf(exposed: Record<string, unknown> | null | undefined): number[] {
  return Object.keys(exposed ?? {})
    .map((k) => Number(k.split('/')[0]))
    .filter((p) => Number.isInteger(p) && p > 0);
}

function entrypointOf(e: string | string[] | null | undefined): string[] | null {
  if (e === null || e === undefined) return null;
  return typeof e === 'string' ? [e] : e;
}

function healthOf(h: DockerStateBlock['Health']): ContainerHealth | null {
  if (!h) return null;
  const s = h.Status;
  const status: ContainerHealth['status'] = s === 'starting' || s === 'healthy' || s === 'unhealthy' ? s : 'none';
  return { status, failing_streak: h.FailingStreak ?? 0 };
}

function addressesOf(networks: Docker.ContainerInspectInfo['NetworkSettings']['Networks'] | null | undefined): Record<string, ContainerNetworkAddress[]> {
  const out: Record<string, ContainerNetworkAddress[]> = {};
  for (const [name, n] of Object.entries(networks ?? {})) {
    const list: ContainerNetworkAddress[] = [];
    if (n.IPAddress) list.push({ addr: n.IPAddress, version: 4, mac_address: n.MacAddress || null });
    if (n.GlobalIPv6Address) list.push({ addr: n.GlobalIPv6Address, version: 6, mac_address: n.MacAddress || null });
    out[name] = list;
  }
  return out;
}

/**
 * `NetworkSettings.Ports` (`{"80/tcp": [{HostIp: "0.0.0.0", HostPort: "32768"}, {HostIp: "::", …}]}`): one binding
 * per container port and protocol (the IPv4 one when the engine lists both), ports not published left out.
 */
export function publishedOf(ports: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null | undefined): PublishedPortBinding[] {
  const out: PublishedPortBinding[] = [];
  for (const [key, list] of Object.entries(ports ?? {})) {
    const [port = '', proto] = key.split('/');
    const bindings = (list ?? []).filter((b) => /^\d+$/.test(b.HostPort ?? ''));
    const b = bindings.find((x) => !(x.HostIp ?? '').includes(':')) ?? bindings[0];
    if (!b || !/^\d+$/.test(port) || (proto !== 'tcp' && proto !== 'udp')) continue;
    out.push({ port: Number(port), protocol: proto, host_ip: b.HostIp || '0.0.0.0', host_port: Number(b.HostPort) });
  }
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/**
 * The driver-neutral state of an inspected container. With `currentStatus`, Zun's sync rule decides the
 * status of a never-started container (see reconcileStatus).
 */
export function toContainerState(
  info: Docker.ContainerInspectInfo,
  opts: { now?: Date; currentStatus?: ContainerStatus } = {},
): ContainerState {
  const mapped = zunStatusOf(info.State, opts.now);
  const state = info.State;
  const started = dockerTime(state?.StartedAt) !== null;
  const name = info.Name.replace(/^\//, '');
  const labels = info.Config?.Labels ?? {};
  const out: ContainerState = {
    uuid: uuidFromContainerName(name) ?? labels[ZUN_UUID_LABEL] ?? '',
    container_id: info.Id,
    name,
    status: mapped.status,
    status_reason: mapped.status_reason,
    status_detail: mapped.status_detail,
    started,
    running: state?.Running ?? false,
    paused: state?.Paused ?? false,
    restarting: state?.Restarting ?? false,
    dead: state?.Dead ?? false,
    oom_killed: state?.OOMKilled ?? false,
    // Docker reports 0 before the first exit; only an exit (or a failed start) gives a real code.
    exit_code: state && ((started && !state.Running) || state.Error) ? state.ExitCode : null,
    error: state?.Error || null,
    pid: state?.Pid ? state.Pid : null,
    started_at: dockerTime(state?.StartedAt),
    finished_at: dockerTime(state?.FinishedAt),
    restart_count: info.RestartCount ?? 0,
    health: healthOf(state?.Health),
    hostname: info.Config?.Hostname || null,
    image: info.Config?.Image ?? '',
    image_id: info.Image,
    command: info.Config?.Cmd ?? null,
    entrypoint: entrypointOf(info.Config?.Entrypoint),
    ports: portsOf(info.Config?.ExposedPorts),
    addresses: addressesOf(info.NetworkSettings?.Networks),
    published: state?.Running ? publishedOf(info.NetworkSettings?.Ports) : [],
    runtime: info.HostConfig?.Runtime ?? null,
    labels: { ...labels },
    tty: info.Config?.Tty ?? false,
    interactive: info.Config?.OpenStdin ?? false,
    auto_remove: info.HostConfig?.AutoRemove ?? false,
  };
  if (opts.currentStatus) out.status = reconcileStatus(opts.currentStatus, out);
  return out;
}
