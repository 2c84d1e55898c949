import { adminContext, deserializeError, type Logger, type RequestContext } from '@zun-ts/common';
import {
  type CallName,
  type CallOptions,
  type DArgs,
  type DResult,
  NoSuchMethod,
  RpcProtocolError,
  type SCHEDULER,
  type SchedulerClient,
  type SelectDestinationsRequest,
} from '@zun-ts/rpc';
import { type SchedulerApi } from './tokens';

type Scheduler = typeof SCHEDULER;

/** A `selectDestinations` waiting for the end of its turn. */
interface Waiting {
  ctx: RequestContext;
  args: SelectDestinationsRequest;
  resolve(answer: { hosts: string[] }): void;
  reject(err: unknown): void;
}

/** Options of {@link SelectBatcher}; the defaults are what the conductor runs with. */
export interface SelectBatcherOptions {
  /** Requests per `selectDestinationsMany` message; more in one turn are split. */
  maxBatch?: number;
  /** How long to send single calls after a scheduler answered NoSuchMethod (one older than contract 1.4). */
  fallbackMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** Requests per message: a batch is decided in order by one scheduler, so a very long one would queue its last ones. */
export const MAX_SELECT_BATCH = 16;
/** Single calls for this long after a NoSuchMethod: a rolling upgrade replaces the schedulers within it, or we ask again. */
export const SELECT_FALLBACK_MS = 60_000;

/**
 * The scheduler client the build task uses, batching its decisions: the `selectDestinations` calls made in one turn of
 * the event loop (the builds that reached scheduling together) go to the scheduler as one `selectDestinationsMany`
 * message, up to {@link MAX_SELECT_BATCH} each, decided there on one read of the hosts and spread over them as a
 * sequence of requests would be. Each caller gets its own answer: its hosts, or its own error (NoValidHost …); an
 * error of the message itself (the bus, the scheduler's database) fails every caller in it. A call alone in its turn
 * is sent as a plain `selectDestinations`, as is every call for {@link SELECT_FALLBACK_MS} after a scheduler answered
 * NoSuchMethod (an older release during an upgrade). Other methods, and calls with options, pass straight through.
 */
export class SelectBatcher implements SchedulerApi {
  /** What went to the scheduler so far: messages (batches and single calls) and the requests in them. */
  readonly sent = { messages: 0, requests: 0 };
  private queue: Waiting[] = [];
  private fallbackUntil = Number.NEGATIVE_INFINITY;
  private readonly maxBatch: number;
  private readonly fallbackMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<SchedulerClient, 'call'>,
    private readonly logger: Logger,
    opts: SelectBatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? MAX_SELECT_BATCH);
    this.fallbackMs = opts.fallbackMs ?? SELECT_FALLBACK_MS;
    this.now = opts.now ?? Date.now;
  }

  call<K extends CallName<Scheduler>>(method: K, ctx: RequestContext, args: DArgs<Scheduler, K>, opts?: CallOptions): Promise<DResult<Scheduler, K>> {
    if (method !== 'selectDestinations' || opts) return this.client.call(method, ctx, args, opts);
    return this.select(ctx, args as SelectDestinationsRequest) as Promise<DResult<Scheduler, K>>;
  }

  private select(ctx: RequestContext, args: SelectDestinationsRequest): Promise<{ hosts: string[] }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ctx, args, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Sends what the turn queued: messages of up to maxBatch requests. */
  private flush(): void {
    const waiting = this.queue;
    this.queue = [];
    for (let i = 0; i < waiting.length; i += this.maxBatch) void this.send(waiting.slice(i, i + this.maxBatch));
  }

  private async send(group: Waiting[]): Promise<void> {
    if (group.length === 1 || this.now() < this.fallbackUntil) {
      for (const w of group) this.single(w);
      return;
    }
    // One context for the message; the scheduler logs each decision with its container's uuid.
    const ctx = adminContext();
    this.logger.debug('scheduling decisions sent together', { requestId: ctx.requestId, requestIds: group.map((w) => w.ctx.requestId) });
    let results;
    this.sent.messages++;
    this.sent.requests += group.length;
    try {
      ({ results } = await this.client.call('selectDestinationsMany', ctx, { requests: group.map((w) => w.args) }));
    } catch (err) {
      if (err instanceof NoSuchMethod) {
        this.fallbackUntil = this.now() + this.fallbackMs;
        this.logger.warn('the scheduler cannot decide batches (an older release); sending single requests for a while', {
          error: err.message, seconds: this.fallbackMs / 1000,
        });
        for (const w of group) this.single(w);
        return;
      }
      for (const w of group) w.reject(err);
      return;
    }
    if (results.length !== group.length) {
      const err = new RpcProtocolError(`The scheduler answered ${results.length} of ${group.length} requests.`);
      for (const w of group) w.reject(err);
      return;
    }
    group.forEach((w, i) => {
      const r = results[i];
      if (r?.error) w.reject(deserializeError(r.error));
      else if (r?.hosts) w.resolve({ hosts: r.hosts });
      else w.reject(new RpcProtocolError('The scheduler answered a request with neither hosts nor an error.'));
    });
  }

  private single(w: Waiting): void {
    this.sent.messages++;
    this.sent.requests++;
    this.client.call('selectDestinations', w.ctx, w.args).then(w.resolve, w.reject);
  }
}
