import { isRetryable, type Logger, type RequestContext, serializeError, ZunError } from '@zun-ts/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { type AnyMethodSpec, type ContractOf, type RpcCaller, specsOf, topicOf } from './contract.types';
import { contractCompatible, encodeReply, parseRequest, type RpcReply, type RpcRequest } from './message.envelope';
import { assertTopic } from './queue.naming';
import { type AnyTopic } from './rpc.client';
import { InvalidRpcMessage, NoSuchMethod, RpcProtocolError } from './rpc.errors';
import { type RpcClosable, type RpcTransport } from './rpc.transport';
import { measuredSend } from './rpc.metrics';
import { trackQueue, untrackQueue } from './queue.metrics';
import { encodeWith, WireDecodeError } from './wire-schema';

/** Per-topic serving options. */
export interface ServeOptions {
  /** Jobs of this topic handled at the same time by this process. @default 16 */
  concurrency?: number;
}

/** Thrown into a job still running when the shutdown bound ran out; the job is redelivered later. */
class JobAbandoned extends Error {
  override readonly name = 'JobAbandoned';
}

/** Options of a topic family's server: which host's queue it takes. */
export interface FamilyServeOptions extends ServeOptions {
  host: string;
}

/** A served method: its spec and the implementation's function bound to the implementation. */
export interface BoundMethod {
  spec: AnyMethodSpec;
  fn: (ctx: RequestContext, args: unknown, caller: RpcCaller) => Promise<unknown>;
}

/** @internal The descriptor's methods bound to `impl`; throws when `impl` lacks one (untyped callers only). */
export function bindMethods(d: AnyTopic, impl: object, partial = false): Map<string, BoundMethod> {
  const out = new Map<string, BoundMethod>();
  for (const [name, spec] of specsOf(d)) {
    const f: unknown = (impl as Record<string, unknown>)[name];
    if (typeof f !== 'function') {
      if (partial) continue;
      throw new TypeError(`The implementation of ${d.name} lacks method ${name}`);
    }
    out.set(name, { spec, fn: (ctx, args, caller) => Promise.resolve((f as (...a: unknown[]) => unknown).call(impl, ctx, args, caller)) });
  }
  return out;
}

/** @internal Decodes a message's args by the method's schema; a mismatch is InvalidRpcMessage (400). */
export function decodeArgs(spec: AnyMethodSpec, where: string, wire: unknown): unknown {
  try {
    return spec.args.decode(wire, 'args');
  } catch (err) {
    if (err instanceof WireDecodeError) throw new InvalidRpcMessage(`Invalid arguments for RPC method ${where}: ${err.message}`);
    throw err;
  }
}

/** What running a message came to: a result in wire form, or an error. */
type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

interface Served {
  topic: string;
  /** The descriptor's name: the topic without its host (a label value). */
  name: string;
  /** The contract version served ("major.minor"). */
  version: string;
  worker: Worker<RpcRequest, unknown, string>;
  methods: Map<string, BoundMethod>;
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
 * Takes messages from topics and runs the matching method of an implementation with `(ctx, args, caller)`.
 * Only the descriptor's methods are served; each message's args are decoded and validated by the method's
 * schema before any handler runs (a mismatch is refused with InvalidRpcMessage), and results are encoded
 * by the method's result schema.
 *
 * Delivery is at-least-once: a job whose process dies (or is abandoned at shutdown) runs again on
 * another worker once its lock expires, so handlers must be idempotent. A call's outcome, success or
 * error, goes back to its caller and completes the job. A cast whose handler throws a retryable
 * ZunError (isRetryable: also a remote 503/504) is retried with backoff up to RpcOptions.castAttempts; any other error fails it once (logged).
 */
export class RpcServer implements RpcClosable {
  private readonly served = new Map<string, Served>();
  private closing: Promise<void> | null = null;
  private nextRun = 0;

  constructor(private readonly transport: RpcTransport) {
    transport.track(this);
  }

  /**
   * Starts taking messages of a topic; resolves once connected: `serve(CONDUCTOR, manager)`, or for a
   * topic family `serve(COMPUTE, manager, { host })`. `impl` must implement the descriptor's contract.
   */
  serve<D extends AnyTopic & { readonly topic: string }>(descriptor: D, impl: ContractOf<D>, opts?: ServeOptions): Promise<void>;
  serve<D extends AnyTopic & { readonly topic: (host: string) => string }>(descriptor: D, impl: ContractOf<D>, opts: FamilyServeOptions): Promise<void>;
  async serve(descriptor: AnyTopic, impl: object, opts?: ServeOptions & { host?: string }): Promise<void> {
    if (this.closing) throw new Error('RpcServer is closed');
    const topic = assertTopic(topicOf(descriptor, opts?.host));
    if (this.served.has(topic)) throw new Error(`RpcServer already serves ${topic}`);
    const concurrency = opts?.concurrency ?? 16;
    const log = this.transport.logger.child({ topic });
    const s: Served = {
      topic,
      name: descriptor.name,
      version: descriptor.version,
      methods: bindMethods(descriptor, impl),
      log,
      running: new Map(),
      worker: new Worker<RpcRequest, unknown, string>(topic, (job) => this.handle(s, job), this.transport.workerOptions(concurrency)),
    };
    s.worker.on('error', (err: Error) => log[this.closing ? 'debug' : 'error']('rpc worker error', { error: err.message }));
    s.worker.on('stalled', (jobId: string) => log.warn('rpc job redelivered after its worker stopped', { jobId }));
    this.served.set(topic, s);
    trackQueue(topic, descriptor.name, this.transport.queue(topic));
    await s.worker.waitUntilReady();
    log.info('rpc server serving', { contractVersion: descriptor.version, methods: [...s.methods.keys()], concurrency });
  }

  private async handle(s: Served, job: Job<RpcRequest, unknown, string>): Promise<void> {
    const id = job.id ?? '';
    let req: RpcRequest;
    try {
      req = parseRequest(job.data);
      if (!contractCompatible(s.version, req.cv)) {
        throw new RpcProtocolError(`RPC message for ${s.name} contract ${req.cv ?? '?'} cannot be served by contract ${s.version} (another major version).`);
      }
    } catch (err) {
      s.log.error('malformed rpc message dropped', { jobId: id, error: (err as Error).message });
      const replyTo: unknown = (job.data as unknown as Record<string, unknown> | null)?.replyTo;
      if (typeof replyTo === 'string') await this.reply(s.log, replyTo, { id, ok: false, error: serializeError(err) });
      throw new UnrecoverableError((err as Error).message);
    }
    const log = s.log.child({ method: req.method, requestId: req.ctx.requestId, jobId: id });
    const outcome = await this.invoke(s, req);

    if (req.replyTo !== undefined) {
      // A call: its caller learns the outcome, so the job is done either way.
      if (!outcome.ok) logFailure(log, 'rpc call failed', outcome.error);
      await this.reply(log, req.replyTo, outcome.ok ? { id, ok: true, result: outcome.result } : { id, ok: false, error: serializeError(outcome.error) });
      return;
    }
    if (outcome.ok) return;
    const err = outcome.error;
    if (err instanceof InvalidRpcMessage) {
      log.error('malformed rpc cast dropped', { error: err.message, sender: req.sender });
      throw new UnrecoverableError(err.message);
    }
    const attempts = job.opts.attempts ?? 1;
    // retryable: also an error another service answered with 503/504 (its class unknown here, a RemoteError)
    if (err instanceof ZunError && isRetryable(err) && job.attemptsMade + 1 < attempts) {
      log.warn('rpc cast failed, will retry', { error: err.message, name: err.name, attempt: job.attemptsMade + 1, attempts });
      throw err;
    }
    logFailure(log, 'rpc cast failed', err);
    const e = serializeError(err);
    throw new UnrecoverableError(`${e.name}: ${e.message}`);
  }

  /**
   * Decodes the args by the method's schema (InvalidRpcMessage when they do not match: the handler never
   * sees them), runs the handler with the sender as caller, and encodes a call's result by its schema.
   */
  private async invoke(s: Served, req: RpcRequest): Promise<Outcome> {
    const m = s.methods.get(req.method);
    if (!m) return { ok: false, error: new NoSuchMethod(`Endpoint ${s.topic} does not support RPC method ${req.method}.`) };
    let args: unknown;
    try {
      args = decodeArgs(m.spec, `${s.topic}.${req.method}`, req.args);
    } catch (err) {
      return { ok: false, error: err };
    }
    const key = this.nextRun++;
    const abandoned = new Promise<never>((_, reject) => s.running.set(key, reject));
    try {
      const run = (): Promise<unknown> => Promise.race([m.fn(req.ctx, args, req.sender), abandoned]);
      const result = await measuredSend('server', s.name, req.method, m.spec.kind, run);
      return { ok: true, result: m.spec.kind === 'call' ? encodeWith(m.spec.result, result) : null };
    } catch (err) {
      if (err instanceof JobAbandoned) throw err;
      return { ok: false, error: err };
    } finally {
      s.running.delete(key);
    }
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
    for (const topic of this.served.keys()) untrackQueue(topic);
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
  if (err instanceof InvalidRpcMessage) {
    log.error(`${msg}: malformed message refused`, { name: e.name, error: e.message });
    return;
  }
  // Client errors (not found, bad request…) are ordinary answers; anything else deserves attention.
  if (err instanceof ZunError && err.status < 500) log.info(msg, { name: e.name, error: e.message });
  else log.error(msg, { name: e.name, error: e.message, stack: err instanceof Error ? err.stack : undefined });
}
