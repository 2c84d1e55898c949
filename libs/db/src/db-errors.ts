import { Conflict, NotFound, registerError, type ZunError } from '@zun-ts/common';
import { type ContainerStatus, type TaskState } from '@zun-ts/objects';

/** A pagination marker names no row (404). */
export class MarkerNotFound extends NotFound {
  constructor(marker: string) {
    super(`Marker ${marker} could not be found.`);
  }
}

/** A container with that uuid exists already (409). */
export class ContainerAlreadyExists extends Conflict {
  constructor(uuid: string) {
    super(`A container with UUID ${uuid} already exists.`);
  }
}

/** What a container was when a conditional update found it in another state. */
export interface ContainerCurrentState {
  status: ContainerStatus;
  task_state: TaskState | null;
}

/**
 * A conditional update lost: the container's status or task_state was not one of the expected ones, usually
 * because a concurrent action changed it first (409). `current` says what it was; callers turn this into
 * Zun's "Cannot <action> container <uuid> in <Status> state".
 */
export class ContainerStateConflict extends Conflict {
  constructor(
    message: string,
    /** The state that failed the condition (absent when rebuilt from an RPC error). */
    readonly current?: ContainerCurrentState,
  ) {
    super(message);
  }

  /** The conflict for container `uuid` found in `current`. */
  static of(uuid: string, current: ContainerCurrentState): ContainerStateConflict {
    const task = current.task_state === null ? '' : ` (task_state ${current.task_state})`;
    return new ContainerStateConflict(`Container ${uuid} is in ${current.status} state${task}, not in a state this operation accepts.`, current);
  }
}

/** No action recorded for a (container, request id) pair (404). */
export class ContainerActionNotFound extends NotFound {
  constructor(requestId: string, containerUuid: string) {
    super(`Action for request_id ${requestId} on container ${containerUuid} not found`);
  }
}

for (const cls of [MarkerNotFound, ContainerAlreadyExists, ContainerStateConflict, ContainerActionNotFound]) {
  registerError(cls as unknown as new (message: string) => ZunError);
}
