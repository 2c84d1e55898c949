import { type Logger } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { RpcTransport } from '@zun-ts/rpc';

/** How a service's RPC transport differs from the defaults. */
export interface ConnectRpcOptions {
  /** The service's program name (`zun-compute`…): with `[DEFAULT] host`, the sender of every message it sends. */
  binary: string;
  /** How long closing waits for jobs in flight, in ms (leave room inside runService's stop bound). */
  shutdownTimeoutMs?: number;
  /** How long a send waits for a Redis connection that is down before MessagingUnavailable, in ms (see RpcOptions). */
  connectWaitMs?: number;
}

/**
 * The service's RPC transport, from zun.conf: `[redis] url` and `key_prefix`, `[DEFAULT] rpc_response_timeout`,
 * and its identity `{ host: [DEFAULT] host, binary }`, which every message it sends carries as its sender.
 */
export function connectRpc(conf: Pick<ZunConf, 'DEFAULT' | 'redis'>, logger: Logger, opts: ConnectRpcOptions): RpcTransport {
  return RpcTransport.connect({
    redisUrl: conf.redis.url,
    prefix: conf.redis.key_prefix,
    callTimeoutMs: conf.DEFAULT.rpc_response_timeout * 1000,
    identity: { host: conf.DEFAULT.host, binary: opts.binary },
    ...(opts.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: opts.shutdownTimeoutMs } : {}),
    ...(opts.connectWaitMs !== undefined ? { connectWaitMs: opts.connectWaitMs } : {}),
    logger,
  });
}
