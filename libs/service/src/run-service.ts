import { type Logger } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ServiceRegistry } from '@zun-ts/objects';
import { type BackoffOptions } from './backoff';
import { isServiceNotFound } from './errors';
import { Heartbeat } from './heartbeat';
import { RegistrationAborted, registerWithRetry, type ServiceIdentity } from './register';
import { onShutdownSignals, type SignalProcess } from './shutdown';

/** The options a service process reads; a full `ZunConf` satisfies it. */
export interface ServiceConf {
  DEFAULT: Pick<ZunConf['DEFAULT'], 'host' | 'report_interval' | 'default_availability_zone'>;
}

/** One service process: what it is, where it registers, how it starts and stops taking work. */
export interface ServiceOptions {
  /** e.g. `zun-compute` */
  binary: string;
  /** RPC topic it serves, e.g. `compute.<host>` */
  topic: string;
  conf: ServiceConf;
  registry: ServiceRegistry;
  logger: Logger;
  /** Start taking work (serve the RPC topic). */
  start(): Promise<void>;
  /** Stop taking work and finish what is in flight, within a bound; close connections. */
  stop(): Promise<void>;
  /** Bound on `stop` after a signal. @default 30000 (ms) */
  stopTimeoutMs?: number;
  /** Retry pacing while the registry is unreachable. */
  registerBackoff?: BackoffOptions;
  /** @default process (tests pass a fake) */
  process?: SignalProcess;
}

/**
 * Run a service: start it, register its row (retrying while the registry is
 * unreachable), then heartbeat every `[DEFAULT] report_interval` seconds.
 * SIGTERM/SIGINT stop the heartbeat, call `stop()` and exit 0; a second signal
 * exits at once. Resolves once the service is registered and heartbeating;
 * rejects if `start()` fails or registration fails for good.
 */
export async function runService(opts: ServiceOptions): Promise<void> {
  const { conf, logger, registry } = opts;
  const identity: ServiceIdentity = {
    host: conf.DEFAULT.host,
    binary: opts.binary,
    topic: opts.topic,
    availability_zone: conf.DEFAULT.default_availability_zone,
  };
  const aborted = new AbortController();
  let heartbeat: Heartbeat | null = null;

  onShutdownSignals(
    async () => {
      aborted.abort();
      await heartbeat?.stop();
      await opts.stop();
    },
    logger,
    { timeoutMs: opts.stopTimeoutMs ?? 30_000, ...(opts.process ? { proc: opts.process } : {}) },
  );

  logger.info('service starting', { binary: identity.binary, topic: identity.topic });
  await opts.start();
  try {
    await registerWithRetry(registry, identity, logger, {
      signal: aborted.signal,
      ...(opts.registerBackoff ? { backoff: opts.registerBackoff } : {}),
    });
  } catch (err) {
    if (err instanceof RegistrationAborted) return; // a signal came first; shutdown is under way
    throw err;
  }
  if (aborted.signal.aborted) return;

  heartbeat = new Heartbeat(
    async () => {
      try {
        await registry.heartbeat(identity.host, identity.binary);
      } catch (err) {
        // The row was deleted (`zun service-delete`) while we run: create it again, as Zun does.
        if (!isServiceNotFound(err)) throw err;
        logger.info('service row missing, registering again');
        await registry.register(identity);
      }
    },
    conf.DEFAULT.report_interval * 1000,
    logger,
  );
  heartbeat.start();
  logger.info('service started', { binary: identity.binary, reportIntervalSec: conf.DEFAULT.report_interval });
}
