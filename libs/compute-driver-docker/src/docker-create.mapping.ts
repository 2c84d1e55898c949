import type Docker from 'dockerode';
import { InvalidValue } from '@zun-ts/common';
import { containerName, type ContainerCreateSpec, ZUN_UUID_LABEL } from './driver-contract';

/** Settings of the driver that shape every create. */
export interface CreateMappingOptions {
  /** `[docker] container_runtime`, used when the spec names no runtime. @default 'runc' */
  defaultRuntime?: string;
  /**
   * Also cap the container at `cpu` cores (NanoCpus = cpu × 1e9). Zun itself only sets shares, which
   * weigh containers against each other but cap nothing. @default false
   */
  hardCpuLimit?: boolean;
  /**
   * Whether the engine enforces a container's disk size (probeDiskQuota). A disk request on an engine that
   * does not is refused rather than run without a limit; unknown (undefined) passes the size on and lets
   * the engine decide.
   */
  diskQuota?: boolean;
}

/** Zun's reason when a disk size is asked of a host that cannot enforce it. */
export const DISK_QUOTA_UNSUPPORTED = 'Your host does not support disk quota feature.';

const MIB = 1024 * 1024;
const NANOS_PER_SECOND = 1_000_000_000;

/** Docker's Memory (bytes) for a limit of `mib` MiB; the limit must be positive (0 would mean none). */
export function memoryBytes(mib: number): number {
  if (!Number.isFinite(mib) || mib <= 0) throw new InvalidValue(`Invalid memory '${mib}': must be a positive number of MiB`);
  return Math.round(mib * MIB);
}

/** Docker's CpuShares for Zun's cpu: `int(1024 × cpu)`. */
export function cpuShares(cpu: number): number {
  if (!Number.isFinite(cpu) || cpu <= 0) throw new InvalidValue(`Invalid cpu '${cpu}': must be a positive number`);
  return Math.trunc(1024 * cpu);
}

/** `{"80": {}}` → `{"80/tcp": {}}`; the protocol must be tcp or udp. */
export function exposedPortsOf(ports: Record<string, unknown>): Record<string, Record<string, never>> {
  const out: Record<string, Record<string, never>> = {};
  for (const key of Object.keys(ports)) {
    const [port, proto = 'tcp'] = key.split('/');
    if (!port || !/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new InvalidValue(`value ${key} is invalid as publish port.`);
    }
    if (proto !== 'tcp' && proto !== 'udp') throw new InvalidValue(`value ${key} is an invalid protocol`);
    out[`${Number(port)}/${proto}`] = {};
  }
  return out;
}

/**
 * Docker's health check from Zun's: a string `test` runs through the shell (`CMD-SHELL`, as docker-py
 * does); an array starting with NONE/CMD/CMD-SHELL is kept, any other array runs as `CMD`. Seconds
 * become nanoseconds; unset values stay 0 (the engine default).
 */
export function healthcheckOf(hc: NonNullable<ContainerCreateSpec['healthcheck']>): Docker.HealthConfig {
  let test: string[];
  if (typeof hc.test === 'string') test = ['CMD-SHELL', hc.test];
  else if (hc.test[0] === 'NONE' || hc.test[0] === 'CMD' || hc.test[0] === 'CMD-SHELL') test = [...hc.test];
  else test = ['CMD', ...hc.test];
  const seconds = (v: number | null | undefined, what: string): number => {
    const n = Number(v ?? 0);
    if (!Number.isFinite(n) || n < 0) throw new InvalidValue(`Invalid healthcheck ${what} '${v}'`);
    return Math.round(n * NANOS_PER_SECOND);
  };
  return {
    Test: test,
    Interval: seconds(hc.interval, 'interval'),
    Timeout: seconds(hc.timeout, 'timeout'),
    Retries: Math.trunc(Number(hc.retries ?? 0)),
  };
}

/** Docker's restart policy; Zun stores the retry count as a string. */
export function restartPolicyOf(rp: NonNullable<ContainerCreateSpec['restart_policy']>): Docker.HostRestartPolicy {
  const count = Number(rp.MaximumRetryCount ?? 0);
  if (!Number.isInteger(count) || count < 0) throw new InvalidValue(`Invalid MaximumRetryCount '${rp.MaximumRetryCount}'`);
  if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(rp.Name)) {
    throw new InvalidValue(`Invalid restart policy '${rp.Name}'`);
  }
  return { Name: rp.Name, MaximumRetryCount: count };
}

/**
 * The Docker create request for a Zun container: name `zun-<uuid>` and the uuid label; Memory = MiB in
 * bytes; CpuShares = int(1024 × cpu) (plus NanoCpus with `hardCpuLimit`); Tty = tty, OpenStdin =
 * interactive; Runtime = spec or default; healthcheck, restart policy, binds, disk (StorageOpt size, refused
 * when the engine cannot enforce it); NetworkMode and the first network's endpoint (fixed address); exposed ports
 * published at engine-picked host ports with `publish_ports`.
 */
export function toDockerCreateOptions(spec: ContainerCreateSpec, opts: CreateMappingOptions = {}): Docker.ContainerCreateOptions {
  const hostConfig: Docker.HostConfig = {
    Privileged: spec.privileged ?? false,
    Runtime: spec.runtime || opts.defaultRuntime || 'runc',
  };
  if (spec.auto_remove) hostConfig.AutoRemove = true;
  if (spec.memoryMiB !== null && spec.memoryMiB !== undefined) hostConfig.Memory = memoryBytes(spec.memoryMiB);
  if (spec.cpu !== null && spec.cpu !== undefined) {
    hostConfig.CpuShares = cpuShares(spec.cpu);
    if (opts.hardCpuLimit) hostConfig.NanoCpus = Math.round(spec.cpu * NANOS_PER_SECOND);
  }
  if (spec.restart_policy) hostConfig.RestartPolicy = restartPolicyOf(spec.restart_policy);
  if (spec.disk) {
    if (!Number.isInteger(spec.disk) || spec.disk < 0) throw new InvalidValue(`Invalid disk '${spec.disk}': must be a whole number of GiB`);
    if (opts.diskQuota === false) throw new InvalidValue(DISK_QUOTA_UNSUPPORTED);
    hostConfig.StorageOpt = { size: `${spec.disk}G` };
  }
  if (spec.cpuset) {
    hostConfig.CpusetCpus = spec.cpuset.cpus;
    if (spec.cpuset.mems) hostConfig.CpusetMems = spec.cpuset.mems;
  }
  if (spec.binds?.length) {
    hostConfig.Binds = spec.binds.map((b) => `${b.source}:${b.destination}${b.read_only ? ':ro' : ''}`);
  }
  if (spec.network_mode) hostConfig.NetworkMode = spec.network_mode;
  if (spec.ipc_mode) hostConfig.IpcMode = spec.ipc_mode;
  if (spec.pid_mode) hostConfig.PidMode = spec.pid_mode;
  const exposed = spec.exposed_ports && Object.keys(spec.exposed_ports).length ? exposedPortsOf(spec.exposed_ports) : null;
  // An empty HostPort: the engine picks a free port at each start (read back from NetworkSettings.Ports).
  if (spec.publish_ports && exposed) hostConfig.PortBindings = Object.fromEntries(Object.keys(exposed).map((k) => [k, [{ HostIp: '', HostPort: '' }]]));

  const options: Docker.ContainerCreateOptions = {
    name: containerName(spec.uuid),
    Image: spec.image,
    Labels: { ...(spec.labels ?? {}), [ZUN_UUID_LABEL]: spec.uuid },
    Env: Object.entries(spec.environment ?? {}).map(([k, v]) => `${k}=${v}`),
    Tty: spec.tty ?? false,
    OpenStdin: spec.interactive ?? false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: hostConfig,
  };
  if (spec.command?.length) options.Cmd = [...spec.command];
  if (spec.entrypoint?.length) options.Entrypoint = [...spec.entrypoint];
  if (spec.workdir) options.WorkingDir = spec.workdir;
  if (spec.hostname) options.Hostname = spec.hostname;
  if (exposed) options.ExposedPorts = exposed;
  if (spec.endpoints_config && Object.keys(spec.endpoints_config).length) {
    options.NetworkingConfig = { EndpointsConfig: structuredClone(spec.endpoints_config) };
  }
  if (spec.healthcheck) options.Healthcheck = healthcheckOf(spec.healthcheck);
  return options;
}
