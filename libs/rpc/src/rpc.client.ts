import { randomUUID } from 'node:crypto';
import { MessagingTimeout, type RequestContext } from '@zun-ts/common';
import { type ArgsOf, type ResultOf, type RpcContract, type RpcMethodName } from './contract.types';
import { buildRequest } from './message.envelope';
import { assertTopic } from './queue.naming';
import { type RpcTransport } from './rpc.transport';

/** Per-call options. */
export interface CallOptions {
  /** @default RpcOptions.callTimeoutMs */
  timeoutMs?: number;
}

/**
 * Sends messages of contract `C` to one topic.
 *
 * Delivery is at-least-once: a message may be handled twice (its worker died mid-job), so the
 * contract's handlers must be idempotent.
 */
export class RpcClient<C extends RpcContract<C>> {
  constructor(
    private readonly transport: RpcTransport,
    readonly topic: string,
  ) {
    assertTopic(topic);
  }

  /**
   * Sends a request and waits for its reply. Throws MessagingTimeout when no reply came within
   * the timeout (the handler may still run, or may have run); throws the handler's error rebuilt by
   * name (unknown names as RemoteError); throws NoSuchMethod when the server lacks the method.
   */
  async call<M extends RpcMethodName<C>>(method: M, ctx: RequestContext, args: ArgsOf<C[M]>, opts?: CallOptions): Promise<ResultOf<C[M]>> {
    const t = this.transport;
    const timeoutMs = opts?.timeoutMs ?? t.options.callTimeoutMs;
    const id = randomUUID();
    const queue = t.queue(this.topic);
    const replies = t.replies;
    const expected = replies.expect(id, timeoutMs, () => {
      // Nobody took the job in time: take it back so a server starting later does not run a request
      // its caller gave up on. A job already running cannot be removed (it is locked); its reply is dropped.
      t.runInBackground(queue.remove(id));
      return new MessagingTimeout(`Timed out waiting for a reply to message ID ${id} (${this.topic}.${method}) after ${timeoutMs} ms.`);
    });
    // The reply may come (and be an error) before add() resolves: mark the rejection handled meanwhile.
    expected.promise.catch(() => undefined);
    try {
      await queue.add(method, buildRequest(method, ctx, args, replies.key), t.callJobOptions(id));
    } catch (err) {
      expected.cancel();
      throw err;
    }
    return (await expected.promise) as ResultOf<C[M]>;
  }

  /** Sends a request without waiting for its handling; resolves once Redis has stored it. */
  async cast<M extends RpcMethodName<C>>(method: M, ctx: RequestContext, args: ArgsOf<C[M]>): Promise<void> {
    const t = this.transport;
    const id = randomUUID();
    await t.queue(this.topic).add(method, buildRequest(method, ctx, args), t.castJobOptions(id));
  }
}
