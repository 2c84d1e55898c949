import { type RequestContext } from '@zun-ts/common';

/**
 * One RPC method: `(ctx, args) => Promise<result>`. `args` and the result must be JSON data
 * (dates are allowed). Delivery is at-least-once, so handlers must be idempotent.
 */
export type RpcHandler = (ctx: RequestContext, args: never) => Promise<unknown>;

/** A contract: an interface whose every member is an {@link RpcHandler}. */
export type RpcContract<C> = { [K in keyof C]: RpcHandler };

/** Names of a contract's methods. */
export type RpcMethodName<C> = keyof C & string;

/** The `args` parameter of a contract method. */
export type ArgsOf<F> = F extends (ctx: RequestContext, args: infer A) => Promise<unknown> ? A : never;

/** What a contract method resolves to. */
export type ResultOf<F> = F extends (ctx: RequestContext, args: never) => Promise<infer R> ? R : never;

/**
 * The methods an object offers over RPC: its functions (own or inherited, up to Object.prototype),
 * except `constructor` and names starting with `_`.
 */
export function rpcMethodsOf(impl: object): Map<string, (ctx: RequestContext, args: unknown) => Promise<unknown>> {
  const methods = new Map<string, (ctx: RequestContext, args: unknown) => Promise<unknown>>();
  for (let o: object | null = impl; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name.startsWith('_') || methods.has(name)) continue;
      const v: unknown = (impl as Record<string, unknown>)[name];
      if (typeof v === 'function') {
        methods.set(name, (ctx, args) => Promise.resolve((v as (c: RequestContext, a: unknown) => unknown).call(impl, ctx, args)));
      }
    }
  }
  return methods;
}
