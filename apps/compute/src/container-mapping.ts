import { isRetryable } from '@zun-ts/common';
import { type ContainerCreateSpec, type ContainerState } from '@zun-ts/compute-driver';
import { type Container, type HostContainerPatch, memoryMiBOf } from '@zun-ts/objects';

/**
 * Label naming the compute host that made an engine container. Several compute hosts may share one
 * engine (test rigs, or a host renamed); a host only ever removes unknown containers it made itself.
 */
export const COMPUTE_HOST_LABEL = 'zun.compute.host';

/** The engine create request for a record (image already resolved to `imageRef`). */
export function createSpecOf(c: Container, imageRef: string, host: string): ContainerCreateSpec {
  return {
    uuid: c.uuid,
    name: c.name,
    image: imageRef,
    command: c.command,
    entrypoint: c.entrypoint,
    environment: c.environment,
    labels: { ...(c.labels ?? {}), [COMPUTE_HOST_LABEL]: host },
    workdir: c.workdir,
    hostname: c.hostname,
    cpu: c.cpu || null,
    memoryMiB: memoryMiBOf(c.memory),
    disk: c.disk || null,
    restart_policy: c.restart_policy,
    auto_remove: c.auto_remove,
    interactive: c.interactive,
    tty: c.tty,
    exposed_ports: c.exposed_ports,
    healthcheck: c.healthcheck,
    privileged: c.privileged,
    runtime: c.runtime,
  };
}

/** status_detail as `docker ps` shows it: Zun's text plus the health of a running container. */
export function detailOf(state: Pick<ContainerState, 'status_detail' | 'health' | 'running' | 'paused'>): string | null {
  const h = state.health;
  if (state.status_detail && state.running && !state.paused && h && h.status !== 'none') return `${state.status_detail} (${h.status})`;
  return state.status_detail;
}

/**
 * What a fresh engine container tells the record: status Created, engine id, ports, runtime, and the hostname,
 * command and entrypoint the user left to the engine/image. (`addresses` come from the container's ports, never
 * from the engine: see ContainerNetworks.)
 */
export function createdPatch(c: Container, state: ContainerState): HostContainerPatch {
  return {
    status: state.status === 'Created' || !state.started ? 'Created' : state.status,
    status_reason: null,
    status_detail: detailOf(state),
    task_state: null,
    container_id: state.container_id,
    hostname: c.hostname ?? state.hostname,
    ports: state.ports,
    runtime: state.runtime,
    ...(c.command?.length ? {} : { command: state.command }),
    ...(c.entrypoint?.length ? {} : { entrypoint: state.entrypoint }),
  };
}

// "Not enough space": the volume driver cannot make a volume's backing store on this host.
const RESOURCE_SHORTAGE = /no space left|not enough space|cannot allocate memory|out of memory|resource temporarily unavailable|too many open files/i;
// A host whose Docker storage cannot cap a container's disk; another host's may.
const HOST_LACKS_DISK_QUOTA = /does not support disk quota/i;
// The engine's pull could not reach the registry from this host (Go's dial errors); a host on another network may.
// A refused connection is left out: that registry is down for every host alike.
const REGISTRY_UNREACHABLE_HERE = /dial tcp [^:]*:?\S*: (?:connect: (?:no route to host|network is unreachable)|i\/o timeout)|TLS handshake timeout/i;

/**
 * Whether another host may succeed where this one failed a create: the engine could not be reached
 * (retryable errors), the host ran out of something, cannot enforce the requested disk size, or could not reach
 * the registry over its network. A bad image, a refused option or a missing image fail everywhere alike.
 */
export function isRetryableCreateFailure(err: unknown): boolean {
  if (isRetryable(err)) return true;
  return err instanceof Error && [RESOURCE_SHORTAGE, HOST_LACKS_DISK_QUOTA, REGISTRY_UNREACHABLE_HERE].some((re) => re.test(err.message));
}
