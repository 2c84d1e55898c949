import { Conflict, VolumeInUse, VolumeNotFound, ZunError } from '@zun-ts/common';

// Errors of the volume API and of container mounts. The class name is part of the wire format
// (`container.<kebab-case class name>`); VolumeNotFound and VolumeInUse live in libs/common because they cross RPC.

/** 404 for a volume the caller cannot see: another project's volume gets the same answer as an unknown one. */
export function volumeNotFound(ident: string): VolumeNotFound {
  return new VolumeNotFound(`Volume ${ident} could not be found.`);
}

/** 409: a non-shareable volume another container mounts (or a volume with mounts that is to be deleted). */
export function volumeInUse(uuid: string): VolumeInUse {
  return new VolumeInUse(`Volume ${uuid} is in use by a container.`);
}

/** 409: the volume is `deleting` or `error`, so no container may mount it. */
export class VolumeNotUsable extends Conflict {
  static of(uuid: string, status: string): VolumeNotUsable {
    return new VolumeNotUsable(`Volume ${uuid} is in status ${status} and cannot be mounted.`);
  }
}

/** 409: a delete of a volume that is already being deleted (or that changed under the request). */
export class InvalidVolumeState extends Conflict {
  static of(uuid: string, status: string): InvalidVolumeState {
    return new InvalidVolumeState(`Cannot delete volume ${uuid} in status ${status}.`);
  }
}

/** The volume's compute host is not up (a 5xx, as for containers: its message only reaches the log). */
export class VolumeHostNotUp extends ZunError {
  readonly status = 500;
  static of(uuid: string, host: string): VolumeHostNotUp {
    return new VolumeHostNotUp(`Volume ${uuid} host ${host} is not up.`);
  }
}
