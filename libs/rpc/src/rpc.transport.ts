import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Logger, MessagingUnavailable, ZunError } from '@zun-ts/common';
import { type JobsOptions, Queue, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { type RpcCaller } from './contract.types';
import { encodeReply, type RpcReply, type RpcRequest } from './message.envelope';
import { assertTopic, replyKey } from './queue.naming';
import { ReplyListener } from './reply.listener';
import { RpcTransportClosed } from './rpc.errors';
import { type ResolvedRpcOptions, resolveRpcOptions, type RpcOptions } from './rpc.options';

/** Messages of ioredis when a command cannot reach Redis. */
const CONNECTION_ERRORS = /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/;

function isConnectionError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'MaxRetriesPerRequestError' || CONNECTION_ERRORS.test(err.message));
}

/** The 503 of a message that could not be sent (the Redis URL is not named: it may hold a password). */
function unavailable(cause?: unknown): MessagingUnavailable {
  return new MessagingUnavailable('The message bus is unavailable (Redis cannot be reached): nothing was done. Please try again later.', { cause });
}

/** Something the transport must close with itself (an RpcServer). */
export interface RpcClosable {
  close(): Promise<void>;
}

/**
 * Connections to Redis shared by the RpcClients and RpcServers of one process.
 *
 * Each topic is a BullMQ queue named after it under the configured prefix (`<prefix>:<topic>:…`).
 * Delivery is at-least-once: a job whose worker dies is redelivered by BullMQ's stalled-job check
 * once its lock expires, so handlers must be idempotent. Completed jobs are removed at once; a
 * bounded number of failed ones is kept for inspection.
 */
export class RpcTransport {
  /** Options with defaults filled in. */
  readonly options: ResolvedRpcOptions;
  /** Identifies this process's reply list. */
  readonly clientId: string = randomUUID();
  readonly logger: Logger;
  private readonly commands: Redis;
  private readonly queues = new Map<string, Queue<RpcRequest, unknown, string>>();
  private readonly closables = new Set<RpcClosable>();
  private readonly background = new Set<Promise<unknown>>();
  private replyListener: ReplyListener | null = null;
  private closing: Promise<void> | null = null;

  private constructor(options: ResolvedRpcOptions) {
    this.options = options;
    this.logger = options.logger.child({ component: 'rpc' });
    this.commands = new Redis(options.redisUrl, { connectionName: 'zun-rpc' });
    this.commands.on('error', (err: Error) => this.logger.warn('rpc redis connection error', { error: err.message }));
  }

  /** Opens the shared connection (in the background: the first command waits for it). */
  static connect(opts: RpcOptions): RpcTransport {
    return new RpcTransport(resolveRpcOptions(opts));
  }

  /** Who this process is: the `sender` of every message it sends. */
  get identity(): RpcCaller {
    return this.options.identity;
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closing !== null;
  }

  /**
   * Resolves at once while the shared Redis connection is up; otherwise waits up to `connectWaitMs` for it and
   * then throws MessagingUnavailable. Callers check this before writing anything a message would act on, so a
   * request that cannot be sent leaves nothing behind.
   */
  async assertConnected(): Promise<void> {
    this.assertOpen();
    if (this.commands.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.commands.off('ready', onReady);
        reject(unavailable());
      }, this.options.connectWaitMs);
      this.commands.once('ready', onReady);
    });
  }

  /**
   * @internal What a failed send becomes: a ZunError as it is; a connection failure (the connection is down,
   * or ioredis gave up retrying the command) MessagingUnavailable; anything else as it is.
   */
  sendFailure(err: unknown): unknown {
    if (err instanceof ZunError) return err;
    if (this.commands.status !== 'ready' || isConnectionError(err)) return unavailable(err);
    return err;
  }

  /** @internal The producer side of a topic's queue. */
  queue(topic: string): Queue<RpcRequest, unknown, string> {
    this.assertOpen();
    let q = this.queues.get(topic);
    if (!q) {
      q = new Queue<RpcRequest, unknown, string>(assertTopic(topic), {
        connection: this.commands,
        prefix: this.options.prefix,
        defaultJobOptions: {
          removeOnComplete: true,
          removeOnFail: { count: this.options.failedJobsKept, age: 7 * 24 * 3600 },
        },
        // BullMQ's event stream is only for observers; keep it short.
        streams: { events: { maxLen: 1000 } },
      });
      q.on('error', (err: Error) => this.logger.warn('rpc queue error', { topic, error: err.message }));
      this.queues.set(topic, q);
    }
    return q;
  }

  /** @internal Job options of a call (one attempt: its caller got the answer, success or error). */
  callJobOptions(id: string): JobsOptions {
    return { jobId: id, attempts: 1 };
  }

  /** @internal Job options of a cast (retried with exponential backoff on retryable errors). */
  castJobOptions(id: string): JobsOptions {
    return { jobId: id, attempts: this.options.castAttempts, backoff: { type: 'exponential', delay: this.options.castBackoffMs } };
  }

  /** @internal This process's reply reader (its connection opens on first use). */
  get replies(): ReplyListener {
    this.assertOpen();
    if (!this.replyListener) {
      this.replyListener = new ReplyListener(this.options.redisUrl, replyKey(this.options.prefix, this.clientId), this.logger);
    }
    return this.replyListener;
  }

  /** @internal Options for a BullMQ worker; it owns its connections, so closing the worker frees them. */
  workerOptions(concurrency: number): WorkerOptions {
    return {
      connection: { url: this.options.redisUrl, maxRetriesPerRequest: null, connectionName: 'zun-rpc-worker' },
      prefix: this.options.prefix,
      name: `${hostname()}:${process.pid}`,
      concurrency,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      maxStalledCount: this.options.maxStalledCount,
    };
  }

  /** @internal Pushes a reply to its caller's list; the list expires if nobody reads it. */
  async sendReply(key: string, reply: RpcReply): Promise<void> {
    // Both commands leave in one write. Not MULTI: an ioredis pipeline copies every script BullMQ
    // defined on this connection, which cost more than the whole rest of a reply.
    await Promise.all([this.commands.lpush(key, encodeReply(reply)), this.commands.pexpire(key, this.options.replyTtlMs)]);
  }

  /** @internal Work the transport waits for before closing (e.g. removing a timed-out call's job). */
  runInBackground(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.logger.debug('rpc background task failed', { error: String(err) }));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  /** @internal */
  track(c: RpcClosable): void {
    this.assertOpen();
    this.closables.add(c);
  }

  /** @internal */
  untrack(c: RpcClosable): void {
    this.closables.delete(c);
  }

  /**
   * Closes the servers on this transport (each waits for its in-flight jobs up to shutdownTimeoutMs),
   * fails calls still waiting with RpcTransportClosed, and closes every connection: afterwards the
   * process holds no handle of this transport.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    await Promise.allSettled([...this.closables].map((c) => c.close()));
    await this.replyListener?.close();
    await Promise.allSettled([...this.background]);
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    try {
      await this.commands.quit();
    } catch {
      this.commands.disconnect();
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new RpcTransportClosed('RPC transport is closed.');
  }
}
