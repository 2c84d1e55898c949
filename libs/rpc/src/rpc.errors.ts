import { registerError, ZunError } from '@zun-ts/common';

/** The server has no handler for the method asked for (usually a version skew between services). */
export class NoSuchMethod extends ZunError {
  readonly status = 500;
}

/** A message or reply that does not follow the RPC envelope. */
export class RpcProtocolError extends ZunError {
  readonly status = 500;
}

/**
 * A message whose arguments do not match the method's schema: refused at the server's edge, before any
 * handler runs (answered to a caller, logged and dropped for a cast).
 */
export class InvalidRpcMessage extends ZunError {
  readonly status = 400;
}

/** The transport was closed while a call still waited for its reply. */
export class RpcTransportClosed extends ZunError {
  readonly status = 503;
  override readonly retryable = true;
}

registerError(NoSuchMethod);
registerError(RpcProtocolError);
registerError(InvalidRpcMessage);
registerError(RpcTransportClosed);
