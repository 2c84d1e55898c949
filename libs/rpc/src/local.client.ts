import { type RequestContext, toWireContext } from '@zun-ts/common';
import { type CallName, type CastName, type ContractOf, type DArgs, type DResult, type RpcCaller, specsOf } from './contract.types';
import { type AnyTopic, type CallOptions, decodeResult, specOf, type TopicClient } from './rpc.client';
import { NoSuchMethod } from './rpc.errors';
import { bindMethods, decodeArgs } from './rpc.server';
import { encodeWith } from './wire-schema';

/** The caller a {@link localClient} presents when none is given. */
export const LOCAL_CALLER: RpcCaller = { host: 'local', binary: 'zun-test' };

/** JSON round trip: what Redis would carry. */
const wire = (v: unknown): unknown => (v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown));

/**
 * A {@link TopicClient} that runs `impl` in this process, through the same path as a message: args encoded
 * by the method's schema, sent through JSON, decoded and validated; the result encoded, sent through JSON
 * and decoded. For unit tests: a fake implements (part of) the contract, the code under test holds the
 * same client type as in production. A method `impl` lacks answers NoSuchMethod, as a server would.
 * A cast runs to completion before it resolves (tests stay deterministic), and its error is rethrown.
 */
export function localClient<D extends AnyTopic>(descriptor: D, impl: Partial<ContractOf<D>>, caller: RpcCaller = LOCAL_CALLER): TopicClient<D> {
  const specs = specsOf(descriptor);
  const methods = bindMethods(descriptor, impl, true);
  const run = async (method: string, kind: 'call' | 'cast', ctx: RequestContext, args: unknown): Promise<unknown> => {
    const spec = specOf(specs, descriptor, method, kind);
    const where = `${descriptor.name}.${method}`;
    const sent = wire(encodeWith(spec.args, args));
    const m = methods.get(method);
    if (!m) throw new NoSuchMethod(`Endpoint ${descriptor.name} does not support RPC method ${method}.`);
    const result = await m.fn(toWireContext(ctx), decodeArgs(spec, where, sent), { ...caller });
    return spec.kind === 'call' ? decodeResult(spec, wire(encodeWith(spec.result, result)), where) : undefined;
  };
  return {
    topic: `local.${descriptor.name}`,
    call: <K extends CallName<D>>(method: K, ctx: RequestContext, args: DArgs<D, K>, _opts?: CallOptions) =>
      run(method, 'call', ctx, args) as Promise<DResult<D, K>>,
    cast: async <K extends CastName<D>>(method: K, ctx: RequestContext, args: DArgs<D, K>) => {
      await run(method, 'cast', ctx, args);
    },
  };
}

/**
 * An implementation of a descriptor's whole contract whose every method fails with NoSuchMethod, as a server
 * lacking the method would answer. For fakes that serve only part of a contract:
 * `server.serve(CONDUCTOR, { ...unimplemented(CONDUCTOR), async consoleTarget() { … } })`.
 */
export function unimplemented<D extends AnyTopic>(descriptor: D): ContractOf<D> {
  const impl: Record<string, () => Promise<never>> = {};
  for (const name of specsOf(descriptor).keys()) {
    impl[name] = () => Promise.reject(new NoSuchMethod(`Endpoint ${descriptor.name} does not support RPC method ${name}.`));
  }
  return impl as ContractOf<D>;
}
