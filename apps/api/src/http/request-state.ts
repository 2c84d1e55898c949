import { type IncomingMessage } from 'node:http';
import { newRequestId, type RequestContext } from '@zun-ts/common';
import { type ApiVersion } from './api-version';

/** What the pipeline learns about a request on its way in. */
export interface RequestState {
  requestId: string;
  /** scheme://host[:port] the client used (proxy headers applied when trusted). */
  hostUrl: string;
  context?: RequestContext;
  /** The negotiated microversion (only under /v1). */
  version?: ApiVersion;
  /** The request body, once read. */
  body?: Buffer;
}

const states = new WeakMap<IncomingMessage, RequestState>();

function directHostUrl(req: IncomingMessage): string {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const host = req.headers.host ?? `${req.socket.localAddress ?? 'localhost'}:${req.socket.localPort ?? ''}`;
  return `${encrypted ? 'https' : 'http'}://${host}`;
}

/** The state of a request, created on first use. */
export function requestState(req: IncomingMessage): RequestState {
  let s = states.get(req);
  if (!s) {
    s = { requestId: newRequestId(), hostUrl: directHostUrl(req) };
    states.set(req, s);
  }
  return s;
}

/** The caller's context; the "context" filter must have run. */
export function requireContext(req: IncomingMessage): RequestContext {
  const ctx = requestState(req).context;
  if (!ctx) throw new Error('no request context: the pipeline lacks the "context" filter');
  return ctx;
}
