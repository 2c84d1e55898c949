import { isRetryable, type Logger, ZunError } from '@zun-ts/common';
import { type ServiceRegistry, type ZunService } from '@zun-ts/objects';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { errorMessage } from './errors';

/** The row a service process registers: unique by (host, binary). */
export interface ServiceIdentity {
  host: string;
  binary: string;
  topic: string;
  availability_zone: string | null;
}

/** Raised by {@link registerWithRetry} when its signal aborts before it succeeded. */
export class RegistrationAborted extends Error {
  constructor() {
    super('service registration aborted');
    this.name = 'RegistrationAborted';
  }
}

/**
 * Register `identity`, retrying with backoff while the registry is unreachable
 * (database down, conductor not answering): a retryable ZunError, or an error below
 * Zun's error model (a socket, a database driver). Any other ZunError is the
 * registry's verdict and is not retried: it will not heal by waiting.
 */
export async function registerWithRetry(
  registry: ServiceRegistry,
  identity: ServiceIdentity,
  logger: Logger,
  opts: { signal?: AbortSignal; backoff?: BackoffOptions } = {},
): Promise<ZunService> {
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw new RegistrationAborted();
    try {
      const row = await registry.register(identity);
      if (attempt > 0) logger.info('service registered after retrying', { attempts: attempt + 1 });
      return row;
    } catch (err) {
      // At start-up a server-side failure (5xx: the conductor or its database still coming up) can heal;
      // only a client error that retrying cannot change stops the service.
      if (err instanceof ZunError && !isRetryable(err) && err.status < 500) throw err;
      const delayMs = backoffDelay(attempt, opts.backoff);
      logger.warn('service registration failed, will retry', { error: errorMessage(err), attempt: attempt + 1, delayMs });
      if (!(await sleep(delayMs, opts.signal))) throw new RegistrationAborted();
    }
  }
}
