import { Conflict, ContainerNotFound, InvalidValue, ZunError } from '@zun-ts/common';
import { DockerError, DockerUnavailable, ImageNotFound } from './driver-contract';

/** What the failed request was about, to pick the right "not found". */
export type DockerErrorSubject = 'container' | 'image' | 'exec' | 'path';

/** An error from docker-modem: `statusCode` and the engine's JSON body when the engine answered. */
interface ModemError {
  statusCode?: number;
  json?: unknown;
  code?: string;
  message?: string;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EPIPE', 'ECONNRESET', 'ETIMEDOUT', 'EACCES', 'ESOCKETTIMEDOUT']);

/** HTTP status the engine answered with, or null when it did not answer. */
export function dockerStatusCode(err: unknown): number | null {
  const code = (err as ModemError | null)?.statusCode;
  return typeof code === 'number' ? code : null;
}

/** The engine's own message (`{"message": ...}`), without docker-modem's "(HTTP code N) reason - " prefix. */
export function dockerMessage(err: unknown): string {
  const e = err as ModemError | null;
  const json = e?.json;
  if (json && typeof json === 'object' && 'message' in json && typeof (json as { message: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (typeof json === 'string' && json.trim()) return json.trim();
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  return msg.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Zun treats these engine messages as the container being in the wrong state (409). */
export function isStateConflict(message: string): boolean {
  return /not running|not paused|is paused|already paused|is restarting|is dead|marked for removal/i.test(message);
}

/**
 * A typed Zun error for a failed engine request: 404 → ContainerNotFound / ImageNotFound / InvalidValue
 * (a missing path or exec, as Zun answers 400 there); state conflicts ("is not running", "is paused", any
 * 409) → Conflict; 400 → InvalidValue; no answer (socket missing, refused, timed out) → DockerUnavailable
 * (retryable); anything else → DockerError.
 */
export function toZunError(err: unknown, subject: DockerErrorSubject = 'container'): ZunError {
  if (err instanceof ZunError) return err;
  const status = dockerStatusCode(err);
  const message = dockerMessage(err);
  if (status === null) {
    const code = (err as ModemError | null)?.code;
    if ((code && UNREACHABLE_CODES.has(code)) || /timeout/i.test(message)) {
      return new DockerUnavailable(`Docker engine unreachable: ${message}`, { cause: err });
    }
    return new DockerError(message, { cause: err });
  }
  if (status === 404) {
    if (/no such container/i.test(message)) return new ContainerNotFound(message, { cause: err });
    if (subject === 'image' || /no such image|manifest unknown|not found: manifest|repository does not exist/i.test(message)) {
      return new ImageNotFound(message, { cause: err });
    }
    if (subject === 'exec' || subject === 'path') return new InvalidValue(message, { cause: err });
    return new ContainerNotFound(message, { cause: err });
  }
  if (status === 409 || isStateConflict(message)) return new Conflict(message, { cause: err });
  if (status === 400) return new InvalidValue(message, { cause: err });
  if (status === 503) return new DockerUnavailable(message, { cause: err });
  return new DockerError(message, { cause: err });
}
