import { InvalidValue } from '@zun-ts/common';

/** Queue of the conductor service (any conductor worker may take a message). */
export const CONDUCTOR_TOPIC = 'conductor';
/** Queue of the scheduler service. */
export const SCHEDULER_TOPIC = 'scheduler';

/** BullMQ joins its key parts with ':', so a queue name must not contain one. */
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The queue of one compute host: `compute.<host>`. Throws InvalidValue for a host that cannot name a queue. */
export function computeTopic(host: string): string {
  if (!QUEUE_NAME.test(host)) throw new InvalidValue(`Host "${host}" cannot name an RPC topic: use letters, digits, ".", "_" or "-".`);
  return `compute.${host}`;
}

/** Returns `topic` when it can name a queue (letters, digits, `.`, `_`, `-`), else throws InvalidValue. */
export function assertTopic(topic: string): string {
  if (!QUEUE_NAME.test(topic)) throw new InvalidValue(`Invalid RPC topic "${topic}": use letters, digits, ".", "_" or "-".`);
  return topic;
}

/** Redis key prefix for every key of a deployment; must be non-empty and without blanks. */
export function assertPrefix(prefix: string): string {
  if (!/^[^\s]+$/.test(prefix)) throw new InvalidValue(`Invalid RPC key prefix "${prefix}".`);
  return prefix;
}

/**
 * The list a client process reads its call replies from. It lives beside the queues under the same
 * prefix; `rpc-reply` cannot clash with a queue's keys because those are `<prefix>:<topic>:…`
 * and no topic is called `rpc-reply` with a sub-key equal to a client id.
 */
export function replyKey(prefix: string, clientId: string): string {
  return `${prefix}:rpc-reply:${clientId}`;
}
