import { type Logger, type RequestContext, serializeError, ZunError } from '@zun-ts/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { type RpcContract, rpcMethodsOf } from './contract.types';
import { encodeReply, parseRequest, type RpcReply, type RpcRequest } from './message.envelope';
import { assertTopic } from './queue.naming';
import { NoSuchMethod, RpcProtocolError } from './rpc.errors';
import { type RpcClosable, type RpcTransport } from './rpc.transport';

/** Per-topic serving options. */
export interface ServeOptions {
  /** Jobs of this topic handled at the same time by this process. @default 16 */
  concurrency?: number;
}

/** Thrown into a job still running when the shutdown bound ran out; the job is redelivered later. */
class JobAbandoned extends Error {
  override readonly name = 'JobAbandoned';
}

interface Served {
  topic: string;
  worker: Worker<RpcRequest, unknown, string>;
  methods: Map<string, (ctx: RequestContext, args: unknown) => Promise<unknown>>;
  log: Logger;
  /** Abandon functions of the jobs running now. */
  running: Map<number, (err: Error) => void>;
}

const sleep = (ms: number): { promise: Promise<void>; cancel(): void } => {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  return { promise, cancel: () => clearTimeout(timer) };
};

/**
 * Takes messages from topics and runs the matching method of an implementation with `(ctx, args)`.
 *
 * Delivery is at-least-once: a job whose process dies (or is abandoned at shutdown) runs again on
 * another worker once its lock expires, so handlers must be idempotent. A call's outcome, success or
 * error, goes back to its caller and completes the job. A cast whose handler throws a retryable
 * ZunError is retried with backoff up to RpcOptions.castAttempts; any other error fails it once (logged).
 */
export class RpcServer implements RpcClosable {
  private readonly served = new Map<string, Served>();
  private closing: Promise<void> | null = null;
  private nextRun = 0;

  constructor(private readonly transport: RpcTransport) {
    transport.track(this);
  }

  /**
   * Starts taking messages of `topic`; resolves once connected. Every public function of `impl`
   * (not starting with `_`) is callable. Give the contract explicitly so that `impl` is checked
   * against it: `serve<ConductorRpcApi>(CONDUCTOR_TOPIC, manager)`.
   */
  async serve<C extends RpcContract<C>>(topic: string, impl: C, opts?: ServeOptions): Promise<void> {
    if (this.closing) throw new Error('RpcServer is closed');
    assertTopic(topic);
    if (this.served.has(topic)) throw new Error(`RpcServer already serves ${topic}`);
    const concurrency = opts?.concurrency ?? 16;
    const log = this.transport.logger.child({ topic });
    const s: Served = {
      topic,
      methods: rpcMethodsOf(impl),
      log,
      running: new Map(),
      worker: new Worker<RpcRequest, unknown, string>(topic, (job) => this.handle(s, job), this.transport.workerOptions(concurrency)),
    };
    s.worker.on('error', (err: Error) => log[this.closing ? 'debug' : 'error']('rpc worker error', { error: err.message }));
    s.worker.on('stalled', (jobId: string) => log.warn('rpc job redelivered after its worker stopped', { jobId }));
    this.served.set(topic, s);
    await s.worker.waitUntilReady();
    log.info('rpc server serving', { methods: [...s.methods.keys()], concurrency });
  }

  private async handle(s: Served, job: Job<RpcRequest, unknown, string>): Promise<void> {
    const id = job.id ?? '';
    let req: RpcRequest;
    try {
      req = parseRequest(job.data);
    } catch (err) {
      s.log.error('malformed rpc message dropped', { jobId: id, error: (err as Error).message });
      const replyTo: unknown = (job.data as unknown as Record<string, unknown> | null)?.replyTo;
      if (typeof replyTo === 'string') await this.reply(s.log, replyTo, { id, ok: false, error: serializeError(err) });
      throw new UnrecoverableError((err as Error).message);
    }
    const log = s.log.child({ method: req.method, requestId: req.ctx.requestId, jobId: id });
    const fn = s.methods.get(req.method);
    let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
    if (!fn) {
      outcome = { ok: false, error: new NoSuchMethod(`Endpoint ${s.topic} does not support RPC method ${req.method}.`) };
    } else {
      const key = this.nextRun++;
      const abandoned = new Promise<never>((_, reject) => s.running.set(key, reject));
      try {
        outcome = { ok: true, result: await Promise.race([fn(req.ctx, req.args), abandoned]) };
      } catch (err) {
        if (err instanceof JobAbandoned) throw err;
        outcome = { ok: false, error: err };
      } finally {
        s.running.delete(key);
      }
    }

    if (req.replyTo !== undefined) {
      // A call: its caller learns the outcome, so the job is done either way.
      if (!outcome.ok) logFailure(log, 'rpc call failed', outcome.error);
      await this.reply(log, req.replyTo, outcome.ok ? { id, ok: true, result: outcome.result } : { id, ok: false, error: serializeError(outcome.error) });
      return;
    }
    if (outcome.ok) return;
    const err = outcome.error;
    const attempts = job.opts.attempts ?? 1;
    if (err instanceof ZunError && err.retryable && job.attemptsMade + 1 < attempts) {
      log.warn('rpc cast failed, will retry', { error: err.message, name: err.name, attempt: job.attemptsMade + 1, attempts });
      throw err;
    }
    logFailure(log, 'rpc cast failed', err);
    const e = serializeError(err);
    throw new UnrecoverableError(`${e.name}: ${e.message}`);
  }

  private async reply(log: Logger, key: string, reply: RpcReply): Promise<void> {
    try {
      encodeReply(reply);
    } catch (err) {
      log.error('rpc result cannot be sent', { error: (err as Error).message });
      reply = { id: reply.id, ok: false, error: serializeError(new RpcProtocolError(`RPC result cannot be sent: ${(err as Error).message}`)) };
    }
    await this.transport.sendReply(key, reply);
  }

  /**
   * Stops taking messages and waits for running jobs, at most RpcOptions.shutdownTimeoutMs; jobs
   * still running then are abandoned (their connections are dropped, so they are not marked done)
   * and BullMQ redelivers them once their lock expires. Closes this server's connections.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const all = Promise.allSettled([...this.served.values()].map((s) => s.worker.close()));
    const bound = sleep(this.transport.options.shutdownTimeoutMs);
    const timedOut = await Promise.race([all.then(() => false), bound.promise.then(() => true)]);
    bound.cancel();
    if (timedOut) {
      for (const s of this.served.values()) {
        if (!s.running.size) continue;
        s.log.warn('rpc shutdown bound reached; abandoning running jobs for redelivery', { running: s.running.size });
        await s.worker.disconnect().catch(() => undefined);
        for (const abandon of s.running.values()) abandon(new JobAbandoned('RPC server closed before the job finished'));
      }
      const grace = sleep(2000);
      await Promise.race([all, grace.promise]);
      grace.cancel();
    }
    this.transport.untrack(this);
  }
}

function logFailure(log: Logger, msg: string, err: unknown): void {
  const e = serializeError(err);
  // Client errors (not found, bad request…) are ordinary answers; anything else deserves attention.
  if (err instanceof ZunError && err.status < 500) log.info(msg, { name: e.name, error: e.message });
  else log.error(msg, { name: e.name, error: e.message, stack: err instanceof Error ? err.stack : undefined });
}
