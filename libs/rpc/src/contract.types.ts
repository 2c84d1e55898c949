import { type RequestContext } from '@zun-ts/common';
import { type AnyWireSchema, type WireSchema } from './wire-schema';

/**
 * Who sent a message, as the sending process declared it when it connected (`RpcTransport.connect`'s
 * identity). Declared, not proven: see docs/adr/0006-compute-host-trust-model.md.
 */
export interface RpcCaller {
  host: string;
  /** `zun-compute`, `zun-api`, `zun-conductor`, `zun-wsproxy`… */
  binary: string;
}

/**
 * One RPC method: `(ctx, args, caller) => Promise<result>`. Delivery is at-least-once, so handlers must be
 * idempotent. Implementations that do not need the caller simply omit the parameter.
 */
export type RpcHandler = (ctx: RequestContext, args: never, caller: RpcCaller) => Promise<unknown>;

/** A contract: an interface whose every member is an {@link RpcHandler}. */
export type RpcContract<C> = { [K in keyof C]: RpcHandler };

/** Names of a contract's methods. */
export type RpcMethodName<C> = keyof C & string;

/** The `args` parameter of a contract method. */
export type ArgsOf<F> = F extends (ctx: RequestContext, args: infer A, ...rest: never[]) => Promise<unknown> ? A : never;

/** What a contract method resolves to. */
export type ResultOf<F> = F extends (ctx: RequestContext, args: never, ...rest: never[]) => Promise<infer R> ? R : never;

/** A method that answers: its caller waits for the result. */
export interface CallSpec<A, R> {
  readonly kind: 'call';
  readonly args: WireSchema<A>;
  readonly result: WireSchema<R>;
}

/** A method nobody waits for: it resolves once the message is stored, and its handler resolves void. */
export interface CastSpec<A> {
  readonly kind: 'cast';
  readonly args: WireSchema<A>;
}

/** A method spec with its types erased (what the server and client run). */
export type AnyMethodSpec = { readonly kind: 'call'; readonly args: AnyWireSchema; readonly result: AnyWireSchema } | { readonly kind: 'cast'; readonly args: AnyWireSchema };

/** A call: the answer travels back encoded by `result`. */
export function call<A, R>(args: WireSchema<A>, result: WireSchema<R>): CallSpec<A, R> {
  return { kind: 'call', args, result };
}

/** A cast (fire and forget). */
export function cast<A>(args: WireSchema<A>): CastSpec<A> {
  return { kind: 'cast', args };
}

/** What a descriptor must give for method `F` of a contract: a call, or (when F resolves void) a cast. */
type SpecFor<F> = [ResultOf<F>] extends [void] ? CallSpec<ArgsOf<F>, ResultOf<F>> | CastSpec<ArgsOf<F>> : CallSpec<ArgsOf<F>, ResultOf<F>>;

/** Every method of contract `C`, each with its spec. */
export type MethodSpecs<C> = { readonly [K in keyof C]-?: SpecFor<C[K]> };

/** Where a topic's messages go: one queue, or one queue per host (`compute.<host>`). */
export type TopicName = string | ((host: string) => string);

/**
 * One RPC topic: its queue, the contract's version, and for every method of the contract whether it is a
 * call or a cast and the schemas of its arguments and result. Built by {@link defineTopic}.
 */
export interface TopicDescriptor<C, M extends MethodSpecs<C> = MethodSpecs<C>, T extends TopicName = TopicName> {
  /** Service name, for logs (`conductor`, `compute`). */
  readonly name: string;
  /** "major.minor" of the contract (its version history is in the contract's file). */
  readonly version: string;
  readonly topic: T;
  readonly methods: M;
  /** Type-level only: the contract. */
  readonly _contract?: (c: C) => C;
}

/** A descriptor with one queue. */
export type SingleTopic<C = never, M extends MethodSpecs<C> = MethodSpecs<C>> = TopicDescriptor<C, M, string>;
/** A descriptor of a topic family (one queue per host). */
export type TopicFamily<C = never, M extends MethodSpecs<C> = MethodSpecs<C>> = TopicDescriptor<C, M, (host: string) => string>;

/** The contract of a descriptor. */
export type ContractOf<D> = D extends TopicDescriptor<infer C, infer _M, infer _T> ? C : never;
/** The method specs of a descriptor. */
export type SpecsOf<D> = D extends TopicDescriptor<infer _C, infer M, infer _T> ? M : never;
/** Names of a descriptor's call methods. */
export type CallName<D> = { [K in keyof SpecsOf<D>]: SpecsOf<D>[K] extends { kind: 'call' } ? K : never }[keyof SpecsOf<D>] & string;
/** Names of a descriptor's cast methods. */
export type CastName<D> = { [K in keyof SpecsOf<D>]: SpecsOf<D>[K] extends { kind: 'cast' } ? K : never }[keyof SpecsOf<D>] & string;
/** Arguments of method `K` of a descriptor. */
export type DArgs<D, K> = K extends keyof ContractOf<D> ? ArgsOf<ContractOf<D>[K]> : never;
/** Result of method `K` of a descriptor. */
export type DResult<D, K> = K extends keyof ContractOf<D> ? ResultOf<ContractOf<D>[K]> : never;

/**
 * Declares a topic for contract `C`; every method of `C` must be given, with schemas that describe its
 * argument and result types exactly:
 * `defineTopic<ConductorRpcApi>()({ name: 'conductor', topic: 'conductor', version: '1.3', methods: { … } })`.
 */
export function defineTopic<C extends RpcContract<C>>() {
  return <const M extends MethodSpecs<C>, const T extends TopicName>(d: { name: string; version: string; topic: T; methods: M }): TopicDescriptor<C, M, T> => d;
}

/** The queue of a descriptor (for a family, of one host). */
export function topicOf(d: { readonly name: string; readonly topic: TopicName }, host?: string): string {
  if (typeof d.topic === 'string') return d.topic;
  if (host === undefined) throw new Error(`RPC topic ${d.name} needs a host`);
  return d.topic(host);
}

/** The erased method table of a descriptor. */
export function specsOf(d: { methods: object }): Map<string, AnyMethodSpec> {
  return new Map(Object.entries(d.methods) as [string, AnyMethodSpec][]);
}
