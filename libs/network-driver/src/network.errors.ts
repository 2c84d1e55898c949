import { BadRequest, Conflict, NotFound, ZunError, registerError } from '@zun-ts/common';

/** A network spec or port the driver cannot realise as given (bad CIDR, address outside the subnet …). */
export class InvalidNetworkSpec extends BadRequest {}

/** The network does not exist on this host (ensure it first). */
export class NetworkNotFoundOnHost extends NotFound {}

/** Something else already holds the network's local names (another network with the same segment). */
export class NetworkConflict extends Conflict {}

/** The container is on the network with another address, or the address is taken by another container. */
export class PortConflict extends Conflict {}

/** A host command or engine call of the network driver failed; retrying the same call will not help. */
export class NetworkDriverError extends ZunError {
  readonly status: number = 500;
}

/** The engine or a host tool could not be reached; the same call may succeed later. */
export class NetworkDriverUnavailable extends NetworkDriverError {
  override readonly retryable: boolean = true;
}

/** A call the strict fake network driver refuses; always a bug in the test or the code under test. */
export class UnexpectedNetworkCall extends Error {
  constructor(readonly method: string, readonly reason: string) {
    super(`FakeNetworkDriver: unexpected ${method}: ${reason}`);
    this.name = 'UnexpectedNetworkCall';
  }
}

for (const cls of [InvalidNetworkSpec, NetworkNotFoundOnHost, NetworkConflict, PortConflict, NetworkDriverError, NetworkDriverUnavailable]) {
  registerError(cls as unknown as new (message: string) => ZunError);
}
