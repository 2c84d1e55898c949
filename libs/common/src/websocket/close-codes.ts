/** Close codes (RFC 6455 and its registry). */
export const WS_CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  INTERNAL_ERROR: 1011,
  /** The upstream (the compute host's relay) failed. */
  BAD_GATEWAY: 1014,
} as const;

/** Stop reading from one side while this much is queued towards the other. */
export const SPLICE_HIGH_WATER = 1 << 20;

/** A close reason fits in a control frame (123 bytes of UTF-8). */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}
