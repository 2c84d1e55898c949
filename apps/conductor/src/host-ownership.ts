import { ContainerNotFound, ImageNotFound, type Logger, NotAuthorized, PortNotFound, VolumeNotFound } from '@zun-ts/common';
import { COMPUTE_BINARY } from '@zun-ts/objects';
import { type RpcCaller } from '@zun-ts/rpc';

/**
 * Confines a compute host to its own records. Every conductor method a compute host calls runs its record
 * through here first: a container of another host (or of none) is answered as ContainerNotFound, exactly
 * as a container that does not exist, so a host cannot even learn that another tenant's uuid exists; the
 * refusal is logged as a warning naming both hosts. The caller's identity is the one its transport declared
 * (see docs/adr/0006-compute-host-trust-model.md for what that does and does not prove). Volumes follow the
 * same rule with VolumeNotFound (see VolumeRecords for which volumes a host may touch), ports with PortNotFound
 * (NetworkRecords: the ports of the host's own containers), `/v1/images` rows with ImageNotFound (ImageRecords: the
 * rows of the host's own images).
 */
export class HostOwnership {
  constructor(private readonly logger: Logger) {}

  /** Only compute hosts call `method`; anyone else is refused (403). */
  requireCompute(caller: RpcCaller, method: string): void {
    if (caller.binary !== COMPUTE_BINARY) {
      this.logger.warn('conductor method refused: caller is not a compute host', { method, callerHost: caller.host, callerBinary: caller.binary });
      throw new NotAuthorized(`${method} is for compute hosts only.`);
    }
  }

  /** `host` named in a message (a listing, an inventory, an event) must be the caller's own. */
  requireOwnHost(caller: RpcCaller, host: string | null, method: string): void {
    this.requireCompute(caller, method);
    if (host !== caller.host) {
      this.logger.warn('conductor method refused: host is not the caller', { method, callerHost: caller.host, namedHost: host });
      throw new NotAuthorized(`Compute host ${caller.host} may not act for host ${String(host)}.`);
    }
  }

  /** True when the record of container `uuid`, placed on `host`, belongs to the caller; else logs the refusal. */
  owns(caller: RpcCaller, uuid: string, host: string | null, method: string): boolean {
    if (host !== null && host === caller.host) return true;
    this.logger.warn('conductor refused a container of another host', { method, containerUuid: uuid, callerHost: caller.host, containerHost: host });
    return false;
  }

  /** {@link owns}, throwing ContainerNotFound (as for an absent record) when the caller does not own it. */
  requireContainer<T extends { uuid: string; host: string | null }>(caller: RpcCaller, c: T, method: string): T {
    this.requireCompute(caller, method);
    if (!this.owns(caller, c.uuid, c.host, method)) throw notFound(c.uuid);
    return c;
  }

  /**
   * Logs the refusal of volume `uuid` (on `host`) to the caller and returns the error an absent volume gets,
   * VolumeNotFound, for the caller to throw. Whether the caller may act on a volume takes database reads
   * (which containers mount it), so VolumeRecords decides it and refuses through here.
   */
  refuseVolume(caller: RpcCaller, uuid: string, host: string | null, method: string): VolumeNotFound {
    this.logger.warn('conductor refused a volume of another host', { method, volumeUuid: uuid, callerHost: caller.host, volumeHost: host });
    return volumeNotFound(uuid);
  }

  /**
   * Logs the refusal of port `uuid` (of container `containerUuid`, placed on `containerHost`) to the caller and
   * returns the error an absent port gets, PortNotFound, for the caller to throw.
   */
  refusePort(caller: RpcCaller, uuid: string, containerUuid: string, containerHost: string | null, method: string): PortNotFound {
    this.logger.warn('conductor refused a port of another host', { method, portUuid: uuid, containerUuid, callerHost: caller.host, containerHost });
    return portNotFound(uuid);
  }

  /** Logs the refusal of image row `uuid` (on `host`) to the caller and returns the error an absent row gets. */
  refuseImage(caller: RpcCaller, uuid: string, host: string | null, method: string): ImageNotFound {
    this.logger.warn('conductor refused an image of another host', { method, imageUuid: uuid, callerHost: caller.host, imageHost: host });
    return imageNotFound(uuid);
  }
}

/** The error an absent image row gets (Zun's text). */
export function imageNotFound(uuid: string): ImageNotFound {
  return new ImageNotFound(`Image ${uuid} could not be found.`);
}

/** The error an absent container gets (the same text as the repository's). */
export function notFound(uuid: string): ContainerNotFound {
  return new ContainerNotFound(`Container ${uuid} could not be found.`);
}

/** The error an absent volume gets (Zun's text). */
export function volumeNotFound(uuid: string): VolumeNotFound {
  return new VolumeNotFound(`Volume ${uuid} could not be found.`);
}

/** The error an absent port gets (the same text as the repository's). */
export function portNotFound(uuid: string): PortNotFound {
  return new PortNotFound(`Port ${uuid} could not be found.`);
}
