import { hostname } from 'node:os';
import { type Logger, silentLogger } from '@zun-ts/common';
import { type RpcCaller } from './contract.types';
import { assertPrefix } from './queue.naming';

/** How to reach Redis and how messages are handled. */
export interface RpcOptions {
  /** e.g. `redis://127.0.0.1:6379/0` */
  redisUrl: string;
  /** Prefix of every Redis key, so several deployments (or tests) can share one Redis. @default 'zun' */
  prefix?: string;
  /** How long a call waits for its reply before throwing MessagingTimeout, in ms. @default 60000 */
  callTimeoutMs?: number;
  /**
   * Who this process is: every message it sends carries it as `sender`, and handlers receive it as their
   * `caller`. Services set it from zun.conf (`[DEFAULT] host`, their binary). @default `{ host: os.hostname(), binary: 'zun-rpc' }`
   */
  identity?: RpcCaller;
  /** @default a logger that drops everything */
  logger?: Logger;
  /**
   * How long a worker's lock on a job lasts, in ms; the worker renews it at half this time.
   * A job whose worker died is redelivered once its lock has expired (and the next stalled check ran): with
   * BullMQ's own 30 s and 30 s that took up to a minute, too slow to recover a crashed service. @default 10000
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died, in ms. @default 5000 */
  stalledIntervalMs?: number;
  /** How many times a job may be redelivered after its worker died before it is failed. @default 1 */
  maxStalledCount?: number;
  /**
   * Attempts for a cast whose handler throws a retryable error (calls are attempted once). With the default
   * backoff, 6 attempts ride out about 30 s (a database or service restarting). @default 6
   */
  castAttempts?: number;
  /** First retry delay of a cast, doubled on each retry, in ms. @default 1000 */
  castBackoffMs?: number;
  /** How long RpcServer.close() waits for in-flight jobs, in ms; unfinished ones are redelivered later. @default 30000 */
  shutdownTimeoutMs?: number;
  /**
   * How long a call or cast waits for the Redis connection to come up before it fails with
   * MessagingUnavailable, in ms (a connection that is up costs no wait). Long enough by default for a
   * service to ride out a Redis restart; zun-api sets 1 s, so a client learns at once. @default 10000
   */
  connectWaitMs?: number;
  /** How long an unread reply stays in Redis, in ms (its caller died or gave up). @default 60000 */
  replyTtlMs?: number;
  /** How many failed jobs each queue keeps for inspection (they are also dropped after 7 days). @default 100 */
  failedJobsKept?: number;
}

/** Default lock on a running job (ms): a dead worker's job is free again after at most this long. */
export const DEFAULT_LOCK_DURATION_MS = 10_000;
/** Default period of the stalled-job check (ms). */
export const DEFAULT_STALLED_INTERVAL_MS = 5_000;

/** RpcOptions with every default filled in. */
export type ResolvedRpcOptions = Required<RpcOptions>;

function positive(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`RpcOptions.${name} must be a positive number, got ${String(v)}`);
  return n;
}

function identity(id: RpcCaller | undefined): RpcCaller {
  const v = id ?? { host: hostname(), binary: 'zun-rpc' };
  if (!v.host || !v.binary) throw new RangeError('RpcOptions.identity needs a host and a binary');
  return { host: v.host, binary: v.binary };
}

/** Fills defaults and checks values. */
export function resolveRpcOptions(o: RpcOptions): ResolvedRpcOptions {
  if (!o.redisUrl) throw new RangeError('RpcOptions.redisUrl is required');
  return {
    redisUrl: o.redisUrl,
    prefix: assertPrefix(o.prefix ?? 'zun'),
    callTimeoutMs: positive('callTimeoutMs', o.callTimeoutMs, 60_000),
    logger: o.logger ?? silentLogger(),
    identity: identity(o.identity),
    lockDurationMs: positive('lockDurationMs', o.lockDurationMs, DEFAULT_LOCK_DURATION_MS),
    stalledIntervalMs: positive('stalledIntervalMs', o.stalledIntervalMs, DEFAULT_STALLED_INTERVAL_MS),
    maxStalledCount: positive('maxStalledCount', o.maxStalledCount, 1),
    castAttempts: Math.floor(positive('castAttempts', o.castAttempts, 6)),
    castBackoffMs: positive('castBackoffMs', o.castBackoffMs, 1000),
    shutdownTimeoutMs: positive('shutdownTimeoutMs', o.shutdownTimeoutMs, 30_000),
    connectWaitMs: positive('connectWaitMs', o.connectWaitMs, 10_000),
    replyTtlMs: Math.ceil(positive('replyTtlMs', o.replyTtlMs, 60_000)),
    failedJobsKept: Math.floor(positive('failedJobsKept', o.failedJobsKept, 100)),
  };
}
