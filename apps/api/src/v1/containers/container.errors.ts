import { BadRequest, Conflict, ZunError } from '@zun-ts/common';

// Zun's exception classes the container API raises. The class name is part of the wire format:
// the error body's code is `container.<kebab-case class name>`.

/** 409 "Cannot <action> container <uuid> in <Status> state". */
export class InvalidStateException extends Conflict {
  static of(action: string, uuid: string, status: string): InvalidStateException {
    return new InvalidStateException(`Cannot ${action} container ${uuid} in ${status} state`);
  }
}

/** The container's compute host is not up (a 5xx: its message only reaches the log). */
export class ContainerHostNotUp extends ZunError {
  readonly status = 500;
  static of(uuid: string, host: string): ContainerHostNotUp {
    return new ContainerHostNotUp(`Container ${uuid} host ${host} is not up.`);
  }
}

/** Zun's generic 400 ("Unacceptable parameters."), e.g. "Cannot operate an uncreated container.". */
export class Invalid extends BadRequest {}

/** 400: attach to a container that was not created interactive. */
export class NoInteractiveFlag extends BadRequest {
  constructor(message = "Container doesn't support to be attached, please check the interactive set properly") {
    super(message);
  }
}

/** 400 for put_archive data that is not base64. */
export class Base64Exception extends BadRequest {
  constructor(message = 'Invalid Base 64 file data') {
    super(message);
  }
}

/** 400 from semantic checks after the schema (e.g. an unknown image driver). */
export class ValidationError extends BadRequest {}

/** 404 for the 1.39 `host` parameter. */

/** 400: a feature this deployment does not provide was asked for (e.g. Neutron networks, Cinder volumes). */
export class NotSupported extends BadRequest {}

/** The same name twice on rename. */
export function sameNameConflict(): Conflict {
  return new Conflict('The new name for the container is the same as the old name.');
}
