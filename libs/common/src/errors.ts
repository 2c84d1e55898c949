/**
 * Zun's error model. Class names matter: the API's error body derives its `code`
 * from the class name (`ContainerNotFound` → `container.container-not-found`), and
 * errors crossing RPC are rebuilt by name.
 */
export abstract class ZunError extends Error {
  /** HTTP status the API answers with; only the API's fault middleware reads it. */
  abstract readonly status: number;
  /** Read by the RPC worker: a retryable failure may be redelivered, others fail the job. */
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class BadRequest extends ZunError { readonly status = 400; }
export class InvalidValue extends BadRequest {}
export class InvalidParameterValue extends BadRequest {}
export class SchemaValidationError extends BadRequest {}
export class InvalidParamInVersion extends BadRequest {}
export class ConfigError extends BadRequest {}
export class NotAuthorized extends ZunError { readonly status: number = 403; }
export class PolicyNotAuthorized extends NotAuthorized {
  constructor(action: string) { super(`Policy doesn't allow ${action} to be performed.`); }
}
export class Unauthorized extends ZunError { readonly status = 401; }
export class NotFound extends ZunError { readonly status: number = 404; }
export class ResourceNotFound extends NotFound {}
export class ZunServiceNotFound extends NotFound {
  /** `(host, binary)`, or `(message)` when rebuilt on the far side of RPC. */
  constructor(hostOrMessage: string, binary?: string) {
    super(binary === undefined ? hostOrMessage : `Zun service ${binary} on host ${hostOrMessage} could not be found.`);
  }
}
export class ComputeNodeNotFound extends NotFound {}
export class ContainerNotFound extends NotFound {}
/** No such network in the caller's scope ("Network X could not be found."). */
export class NetworkNotFound extends NotFound {}
/** No such port. */
export class PortNotFound extends NotFound {}
/** An image: not on the host (pull policy `never`), not in the registry or Glance, or no `/v1/images` row. */
export class ImageNotFound extends NotFound {}
/** A registry (`/v1/registries`, the 1.31 `registry` of a create) the caller cannot see. */
export class RegistryNotFound extends NotFound {
  static of(registry: string): RegistryNotFound {
    return new RegistryNotFound(`Registry ${registry} could not be found.`);
  }
}
/** No such volume (in the caller's scope, or on this host for a volume driver). */
export class VolumeNotFound extends NotFound {}
export class Conflict extends ZunError { readonly status: number = 409; }
export class ZunServiceAlreadyExists extends Conflict {}
/**
 * The volume is mounted or held by a container, so it cannot be deleted, detached or mounted by another
 * container (unless it is shareable).
 */
export class VolumeInUse extends Conflict {}
/** A network still has ports (containers on it), so it cannot be deleted. */
export class NetworkInUse extends Conflict {}
/** No free address left in a network's subnet (or no free subnet left in the default pool). */
export class NetworkExhausted extends Conflict {}
/** The requested fixed address is held by another port of the network. */
export class IpAddressInUse extends Conflict {}
/** The CIDR overlaps a network of the cloud (subnets are unique cloud-wide, ADR 0007). */
export class NetworkCidrConflict extends Conflict {}
export class NotAcceptable extends ZunError { readonly status = 406; }
export class InvalidGlobalAPIVersion extends NotAcceptable {}
export class RequestEntityTooLarge extends ZunError { readonly status = 413; }
export class UnsupportedMediaType extends ZunError { readonly status = 415; }
export class NotImplementedYet extends ZunError { readonly status = 501; }
export class ServiceUnavailable extends ZunError {
  readonly status = 503;
  override readonly retryable = true;
}
/**
 * The message bus cannot take a message now (Redis unreachable). Nothing was sent: callers undo what they
 * wrote for the request and answer 503, so the client may simply try again.
 */
export class MessagingUnavailable extends ServiceUnavailable {}
/** An RPC call got no reply in time. */
export class MessagingTimeout extends ZunError {
  readonly status = 504;
  override readonly retryable = true;
}
/**
 * No host can take the container. Zun's NoValidHost is a plain ZunException (500): the API never
 * shows it; the conductor sets the container to Error with the reason "There are not enough hosts available.".
 */
export class NoValidHost extends ZunError {
  readonly status = 500;

  constructor(reason = 'There are not enough hosts available.') {
    super(`No valid host was found. ${reason}`);
  }
}
/** An admin asked for a host (API 1.39 `host`) that is not a known compute node. */
export class RequestedHostNotFound extends NotFound {
  constructor(host: string) {
    super(`Requested host ${host} could not be found.`);
  }
}
/** A remote error whose class is unknown to this process. */
export class RemoteError extends ZunError {
  readonly status: number;
  constructor(readonly remoteName: string, message: string, status = 500) {
    super(message);
    this.status = status;
  }
}

/**
 * Whether the same request may succeed when tried again later: a ZunError marked retryable (an engine,
 * database or service unreachable; an RPC reply that timed out), also one rebuilt from another process
 * whose class this process does not know (status 503 or 504). Any other ZunError is a verdict on the
 * request. A plain Error is not classified and counts as not retryable: a caller that must ride out
 * unclassified failures (start-up registration) says so itself.
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof ZunError && (err.retryable || err.status === 503 || err.status === 504);
}

/** What crosses process boundaries (RPC replies, job failures). */
export interface SerializedError {
  name: string;
  message: string;
  /** HTTP status of the error, if it is a ZunError. */
  code: number;
  retryable?: boolean;
}

const registry = new Map<string, new (message: string) => ZunError>();

/** Make a ZunError subclass rebuildable by name on the far side of RPC. */
export function registerError(cls: new (message: string) => ZunError): void {
  registry.set(cls.name, cls);
}
for (const cls of [BadRequest, InvalidValue, InvalidParameterValue, SchemaValidationError, InvalidParamInVersion,
  NotAuthorized, Unauthorized, NotFound, ResourceNotFound, ZunServiceNotFound, ComputeNodeNotFound, ContainerNotFound, VolumeNotFound, NetworkNotFound, PortNotFound, ImageNotFound, RegistryNotFound, Conflict,
  ZunServiceAlreadyExists, VolumeInUse, NetworkInUse, NetworkExhausted, IpAddressInUse, NetworkCidrConflict, NotAcceptable, ServiceUnavailable, MessagingUnavailable, MessagingTimeout, NotImplementedYet, NoValidHost, RequestedHostNotFound]) {
  registerError(cls as unknown as new (message: string) => ZunError);
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof RemoteError) return { name: err.remoteName, message: err.message, code: err.status };
  if (err instanceof ZunError) return { name: err.name, message: err.message, code: err.status, retryable: err.retryable };
  if (err instanceof Error) return { name: err.name, message: err.message, code: 500 };
  return { name: 'Error', message: String(err), code: 500 };
}

/** Rebuild a typed error; unknown names come back as RemoteError carrying the name and code. */
export function deserializeError(s: SerializedError): ZunError {
  const cls = registry.get(s.name);
  if (cls) {
    const e = new cls(s.message);
    Object.defineProperty(e, 'message', { value: s.message });
    return e;
  }
  return new RemoteError(s.name, s.message, s.code);
}

/** `ContainerNotFound` → `container-not-found` (Zun's error code from a class name). */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}
