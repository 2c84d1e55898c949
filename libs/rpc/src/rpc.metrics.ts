import { MessagingTimeout, MessagingUnavailable } from '@zun-ts/common';
import { codeNameLabel, rpcClientMetrics, rpcServerMetrics, secondsSince } from '@zun-ts/metrics';

/** What became of a message, as a label: a small fixed set. */
export type RpcOutcome = 'ok' | 'error' | 'timeout' | 'unavailable';

/** The outcome label of an error thrown by a send or a handler. */
export function rpcOutcomeOf(err: unknown): RpcOutcome {
  if (err instanceof MessagingTimeout) return 'timeout';
  if (err instanceof MessagingUnavailable) return 'unavailable';
  return 'error';
}

/**
 * Runs `send` and records it under the topic's descriptor name (`compute`, never `compute.<host>`) and its method.
 */
export async function measuredSend<T>(side: 'client' | 'server', topic: string, method: string, kind: 'call' | 'cast', send: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const { count, duration } = side === 'client' ? { count: rpcClientMetrics().sent, duration: rpcClientMetrics().duration } : { count: rpcServerMetrics().handled, duration: rpcServerMetrics().duration };
  const labels = { topic: codeNameLabel(topic), method: codeNameLabel(method), kind };
  const record = (outcome: RpcOutcome): void => {
    count.inc({ ...labels, outcome });
    duration.observe({ ...labels, outcome }, secondsSince(start));
  };
  try {
    const result = await send();
    record('ok');
    return result;
  } catch (err) {
    record(rpcOutcomeOf(err));
    throw err;
  }
}
