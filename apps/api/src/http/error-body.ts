import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { kebabCase, type Logger, ServiceUnavailable, ZunError } from '@zun-ts/common';
import { HttpError, reasonPhrase } from './http-error';
import { requestState } from './request-state';

/** One entry of Zun's `{"errors": [...]}` body. */
export interface ZunErrorEntry {
  request_id: '';
  code: string;
  status: number;
  title: string;
  detail: string;
  links: [];
}

export function errorBody(status: number, code: string, title: string, detail: string): { errors: ZunErrorEntry[] } {
  return { errors: [{ request_id: '', code, status, title, detail, links: [] }] };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  // Encoded once: the length is the buffer's, where byteLength and end(text) would each walk the text.
  sendJsonBytes(res, status, Buffer.from(JSON.stringify(body), 'utf8'), headers);
}

/** A JSON answer already encoded (e.g. a cached list body): sent as it is, with its type and length. */
export function sendJsonBytes(res: ServerResponse, status: number, bytes: Buffer, headers: Readonly<Record<string, string>> = {}): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}

/** Keystone's error format, used by the token middleware (401, 503). */
export function sendKeystoneError(res: ServerResponse, status: number, message: string, headers: Readonly<Record<string, string>> = {}): void {
  sendJson(res, status, { error: { code: status, title: reasonPhrase(status), message } }, headers);
}

/** Status of a non-Zun error that carries one (e.g. a malformed URL from the router), if it is a client error. */
function clientStatusOf(err: unknown): number | null {
  if (!(err instanceof Error)) return null;
  const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : null;
}

/**
 * Writes any error as Zun does: ZunErrors with a 4xx status show their message with code
 * `container.<kebab-class>`, and so does a 503 (a service this one needs is down, the client may retry); framework errors show their detail with code `container.`;
 * everything else becomes a 5xx whose detail is only a correlation id — the real
 * error goes to the log under that id.
 */
export function renderError(err: unknown, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const { requestId } = requestState(req);
  if (res.headersSent) {
    logger.error('error after the response started', { requestId, error: err instanceof Error ? err.stack : String(err) });
    res.destroy();
    return;
  }
  if (err instanceof HttpError) {
    sendJson(res, err.status, errorBody(err.status, 'container.', err.title, err.detail), err.headers);
    return;
  }
  if (err instanceof ZunError && err.status < 500) {
    sendJson(res, err.status, errorBody(err.status, `container.${kebabCase(err.name)}`, err.message, err.message));
    return;
  }
  if (err instanceof ServiceUnavailable) {
    // Nothing failed inside: a service this one needs is down. Its message says which and that the client may retry.
    logger.warn('request refused: a service it needs is unavailable', { requestId, method: req.method, url: req.url, error: err.message });
    sendJson(res, err.status, errorBody(err.status, `container.${kebabCase(err.name)}`, err.message, err.message), { 'Retry-After': '5' });
    return;
  }
  const clientStatus = clientStatusOf(err);
  if (clientStatus !== null) {
    const detail = (err as Error).message;
    sendJson(res, clientStatus, errorBody(clientStatus, 'container.', reasonPhrase(clientStatus), detail));
    return;
  }
  const status = err instanceof ZunError ? err.status : 500;
  const correlationId = randomUUID();
  logger.error('request failed', {
    requestId,
    correlationId,
    method: req.method,
    url: req.url,
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  const detail = `Your request could not be handled because of a problem in the server. Error Correlation id is: ${correlationId}`;
  sendJson(res, status, errorBody(status, 'container.', reasonPhrase(status), detail));
}

/** A JSON response; `null` is written as the text `null`, which the client accepts for body-less answers. */
export function sendJsonResponse(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body ?? null);
}
