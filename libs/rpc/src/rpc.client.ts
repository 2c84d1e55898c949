import { randomUUID } from 'node:crypto';
import { MessagingTimeout, type RequestContext } from '@zun-ts/common';
import {
  type AnyMethodSpec, type CallName, type CastName, type DArgs, type DResult, specsOf, type TopicName, topicOf,
} from './contract.types';
import { buildRequest } from './message.envelope';
import { assertTopic } from './queue.naming';
import { RpcProtocolError } from './rpc.errors';
import { measuredSend } from './rpc.metrics';
import { type RpcTransport } from './rpc.transport';
import { encodeWith, WireDecodeError } from './wire-schema';

/** Per-call options. */
export interface CallOptions {
  /** @default RpcOptions.callTimeoutMs */
  timeoutMs?: number;
}

/** Any topic descriptor (the constraint of client and server type parameters). */
export interface AnyTopic {
  readonly name: string;
  readonly version: string;
  readonly topic: TopicName;
  readonly methods: object;
}

/**
 * What code holds to talk to one topic: `call` only takes the descriptor's call methods, `cast` only its
 * casts, each with the contract's argument type. Made by {@link rpcClient} (or `localClient` in unit tests).
 */
export interface TopicClient<D extends AnyTopic> {
  /** The queue messages go to. */
  readonly topic: string;
  /**
   * Sends a request and waits for its reply. Throws MessagingTimeout when no reply came within the timeout
   * (the handler may still run, or may have run); throws the handler's error rebuilt by name (unknown names
   * as RemoteError); NoSuchMethod when the server lacks the method; InvalidRpcMessage when it refused the args.
   */
  call<K extends CallName<D>>(method: K, ctx: RequestContext, args: DArgs<D, K>, opts?: CallOptions): Promise<DResult<D, K>>;
  /**
   * Sends a request without waiting for its handling; resolves once Redis has stored it. Throws
   * MessagingUnavailable (503) when Redis cannot be reached (when the connection drops mid-send, whether
   * Redis stored it is unknown: receivers of a cast whose sender undid its writes find nothing to act on).
   */
  cast<K extends CastName<D>>(method: K, ctx: RequestContext, args: DArgs<D, K>): Promise<void>;
}

/** @internal The spec of `method`, or a TypeError for a method the descriptor lacks (only reachable from untyped code). */
export function specOf(specs: Map<string, AnyMethodSpec>, d: AnyTopic, method: string, kind: 'call' | 'cast'): AnyMethodSpec {
  const spec = specs.get(method);
  if (!spec || spec.kind !== kind) throw new TypeError(`${d.name} has no ${kind} method ${method}`);
  return spec;
}

/** @internal Decodes a result; a result that does not match its schema is the server's fault (RpcProtocolError). */
export function decodeResult(spec: AnyMethodSpec, wire: unknown, where: string): unknown {
  if (spec.kind === 'cast') return undefined;
  try {
    return spec.result.decode(wire, 'result');
  } catch (err) {
    if (err instanceof WireDecodeError) throw new RpcProtocolError(`Invalid RPC result from ${where}: ${err.message}`);
    throw err;
  }
}

/**
 * Sends messages of one topic over the transport. Arguments are encoded by the method's schema; results are
 * decoded (and validated) by its result schema.
 *
 * Delivery is at-least-once: a message may be handled twice (its worker died mid-job), so the
 * contract's handlers must be idempotent.
 */
export class RpcClient<D extends AnyTopic> implements TopicClient<D> {
  readonly topic: string;
  private readonly specs: Map<string, AnyMethodSpec>;

  /** @internal Use {@link rpcClient}. */
  constructor(
    private readonly transport: RpcTransport,
    private readonly descriptor: D,
    host?: string,
  ) {
    this.topic = assertTopic(topicOf(descriptor, host));
    this.specs = specsOf(descriptor);
  }

  call<K extends CallName<D>>(method: K, ctx: RequestContext, args: DArgs<D, K>, opts?: CallOptions): Promise<DResult<D, K>> {
    return measuredSend('client', this.descriptor.name, method, 'call', () => this.sendCall(method, ctx, args, opts));
  }

  cast<K extends CastName<D>>(method: K, ctx: RequestContext, args: DArgs<D, K>): Promise<void> {
    return measuredSend('client', this.descriptor.name, method, 'cast', () => this.sendCast(method, ctx, args));
  }

  private async sendCall<K extends CallName<D>>(method: K, ctx: RequestContext, args: DArgs<D, K>, opts?: CallOptions): Promise<DResult<D, K>> {
    const spec = specOf(this.specs, this.descriptor, method, 'call');
    const wireArgs = encodeWith(spec.args, args);
    const t = this.transport;
    const timeoutMs = opts?.timeoutMs ?? t.options.callTimeoutMs;
    const id = randomUUID();
    const queue = t.queue(this.topic);
    const replies = t.replies;
    await t.assertConnected();
    const expected = replies.expect(id, timeoutMs, () => {
      // Nobody took the job in time: take it back so a server starting later does not run a request
      // its caller gave up on. A job already running cannot be removed (it is locked); its reply is dropped.
      t.runInBackground(queue.remove(id));
      return new MessagingTimeout(`Timed out waiting for a reply to message ID ${id} (${this.topic}.${method}) after ${timeoutMs} ms.`);
    });
    // The reply may come (and be an error) before add() resolves: mark the rejection handled meanwhile.
    expected.promise.catch(() => undefined);
    try {
      await queue.add(method, buildRequest(method, ctx, wireArgs, t.identity, replies.key, this.descriptor.version), t.callJobOptions(id));
    } catch (err) {
      expected.cancel();
      throw t.sendFailure(err);
    }
    return decodeResult(spec, await expected.promise, `${this.topic}.${method}`) as DResult<D, K>;
  }

  private async sendCast<K extends CastName<D>>(method: K, ctx: RequestContext, args: DArgs<D, K>): Promise<void> {
    const spec = specOf(this.specs, this.descriptor, method, 'cast');
    const t = this.transport;
    const id = randomUUID();
    const request = buildRequest(method, ctx, encodeWith(spec.args, args), t.identity, undefined, this.descriptor.version);
    await t.assertConnected();
    try {
      await t.queue(this.topic).add(method, request, t.castJobOptions(id));
    } catch (err) {
      throw t.sendFailure(err);
    }
  }
}

/** A client of a topic: `rpcClient(transport, CONDUCTOR)`, or for a topic family `rpcClient(transport, COMPUTE, host)`. */
export function rpcClient<D extends AnyTopic & { readonly topic: string }>(transport: RpcTransport, descriptor: D): RpcClient<D>;
export function rpcClient<D extends AnyTopic & { readonly topic: (host: string) => string }>(transport: RpcTransport, descriptor: D, host: string): RpcClient<D>;
export function rpcClient<D extends AnyTopic>(transport: RpcTransport, descriptor: D, host?: string): RpcClient<D> {
  return new RpcClient(transport, descriptor, host);
}
