import { type IncomingMessage } from 'node:http';
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
