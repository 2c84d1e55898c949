/**
 * Typed errors of the client: one class per HTTP status the Zun API (or Keystone) answers with, each carrying
 * the error body (Zun's `{"errors": [{code, title, detail, request_id, …}]}`, or the `{"error": {…}}` shape of
 * Keystone and of the API's auth layer) and the `X-OpenStack-Request-Id` of the answer.
 */

/** One entry of Zun's error body. */
export interface ZunErrorEntry {
  request_id: string;
  code: string;
  status: number;
  title: string;
  detail: string;
  links: unknown[];
}

/** What every error of an HTTP answer carries. */
export interface ZunErrorDetails {
  status: number;
  /** Zun's error code (`container.container-not-found`); for the `{"error": …}` shape, the number as a string. */
  code: string;
  title: string;
  detail: string;
  /** The `X-OpenStack-Request-Id` of the answer, or the body's `request_id`. */
  requestId: string | null;
  method: string;
  url: string;
  /** The body as it was parsed (JSON), or its text. */
  body: unknown;
}

/** Any non-2xx answer of the API or of Keystone. */
export class ZunApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string | null;
  readonly method: string;
  readonly url: string;
  readonly body: unknown;

  constructor(d: ZunErrorDetails) {
    super(`${d.method} ${d.url}: ${d.status} ${d.detail || d.title}`);
    this.name = new.target.name;
    this.status = d.status;
    this.code = d.code;
    this.title = d.title;
    this.detail = d.detail;
    this.requestId = d.requestId;
    this.method = d.method;
    this.url = d.url;
    this.body = d.body;
  }
}

export class BadRequest extends ZunApiError {}
export class Unauthorized extends ZunApiError {}
export class Forbidden extends ZunApiError {}
export class NotFound extends ZunApiError {}
export class MethodNotAllowed extends ZunApiError {}
export class NotAcceptable extends ZunApiError {}
export class Conflict extends ZunApiError {}
export class RequestEntityTooLarge extends ZunApiError {}
export class UnsupportedMediaType extends ZunApiError {}
export class InternalServerError extends ZunApiError {}
export class NotImplemented extends ZunApiError {}
export class ServiceUnavailable extends ZunApiError {}

const BY_STATUS: Record<number, new (d: ZunErrorDetails) => ZunApiError> = {
  400: BadRequest,
  401: Unauthorized,
  403: Forbidden,
  404: NotFound,
  405: MethodNotAllowed,
  406: NotAcceptable,
  409: Conflict,
  413: RequestEntityTooLarge,
  415: UnsupportedMediaType,
  500: InternalServerError,
  501: NotImplemented,
  503: ServiceUnavailable,
};

/** A client-side failure before or without an HTTP error answer (no endpoint in the catalog, no common microversion). */
export class ZunClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The typed error for an answer: its class by status (ZunApiError itself for other statuses). */
export function errorFromAnswer(a: { status: number; method: string; url: string; body: unknown; requestId: string | null }): ZunApiError {
  let code = String(a.status);
  let title = '';
  let detail = '';
  let requestId = a.requestId;
  const b = a.body;
  if (isRecord(b) && Array.isArray(b['errors']) && isRecord(b['errors'][0])) {
    const e = b['errors'][0];
    code = str(e['code']) || code;
    title = str(e['title']);
    detail = str(e['detail']);
    requestId = requestId || str(e['request_id']) || null;
  } else if (isRecord(b) && isRecord(b['error'])) {
    const e = b['error'];
    code = str(e['code']) || code;
    title = str(e['title']);
    detail = str(e['message']) || str(e['detail']);
  } else if (typeof b === 'string') {
    detail = b.trim();
  }
  const Cls = BY_STATUS[a.status] ?? ZunApiError;
  return new Cls({ status: a.status, code, title, detail, requestId, method: a.method, url: a.url, body: b });
}
