import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type RequestHandler } from 'express';
import { HttpError } from './http-error';
import { requestState } from './request-state';

export function tooLarge(): HttpError {
  return new HttpError(413, 'Request is too large.', undefined, { Connection: 'close' });
}

/**
 * Reads the whole body, refusing (413) as soon as more than `limit` bytes have arrived,
 * whatever Content-Length claimed. The result is kept in the request state.
 */
export async function readBody(req: IncomingMessage, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const state = requestState(req);
  if (state.body) return state.body;
  const chunks: Buffer[] = [];
  let size = 0;
  const body = await new Promise<Buffer>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop reading; the 413 goes out with Connection: close.
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onAborted = (): void => {
      cleanup();
      reject(new HttpError(400, 'The request body was not received completely.'));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    if (req.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
  state.body = body;
  return body;
}

/** How much of a body nobody read is read and thrown away before the answer goes out, and for how long at most. */
export const DRAIN_LIMIT = 8 * 1024 * 1024;
export const DRAIN_MS = 3_000;

/** Whether part of a declared body (Content-Length, or chunked) has not been read yet. */
function bodyPending(req: IncomingMessage): boolean {
  if (req.complete || req.readableEnded) return false;
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads and discards what is left of the request body, so that a client still sending it is not cut off
 * (EPIPE) when the answer closes the connection. True once the body has ended; false, at once, when more
 * than `limit` bytes are declared, or when `limit` bytes or `ms` pass first.
 */
export function drainBody(req: IncomingMessage, limit = DRAIN_LIMIT, ms = DRAIN_MS): Promise<boolean> {
  if (!bodyPending(req)) return Promise.resolve(true);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    let size = 0;
    const finish = (ended: boolean): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFail);
      req.off('aborted', onFail);
      if (!ended) req.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onFail = (): void => finish(false);
    const timer = setTimeout(() => finish(false), ms);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onFail);
    req.on('aborted', onFail);
    req.resume();
  });
}

/**
 * The first handler of the pipeline: an answer given before the body was read (a 413 on Content-Length, a
 * healthcheck, a 401) goes out once the body has been drained; a body too large to drain gets its answer at
 * once with `Connection: close`.
 */
export const endAfterBody: RequestHandler = (req, res, next) => {
  const end = res.end;
  const deferred = (...args: unknown[]): ServerResponse => {
    if (!bodyPending(req)) return Reflect.apply(end, res, args) as ServerResponse;
    void drainBody(req).then((drained) => {
      if (!drained && !res.headersSent) res.setHeader('Connection', 'close');
      Reflect.apply(end, res, args);
    });
    return res;
  };
  res.end = deferred as unknown as typeof res.end;
  next();
};
