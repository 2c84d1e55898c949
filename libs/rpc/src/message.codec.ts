/**
 * Values crossing RPC are JSON plus `Date`: objects such as ZunService carry timestamps, and a
 * plain JSON round trip would hand the caller strings typed as dates. A Date travels as
 * `{ "$date": "<ISO 8601>" }`.
 */
const DATE_TAG = '$date';

/** Deep-copies `value` into plain JSON data, tagging dates. `undefined` members are dropped as JSON does. */
export function encodeValue(value: unknown): unknown {
  if (value instanceof Date) return { [DATE_TAG]: value.toISOString() };
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : encodeValue(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined && typeof v !== 'function') out[k] = encodeValue(v);
    }
    return out;
  }
  if (typeof value === 'bigint') throw new TypeError('bigint values cannot cross RPC');
  return value;
}

/** Inverse of {@link encodeValue}. */
export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]?.[0] === DATE_TAG && typeof entries[0][1] === 'string') {
      return new Date(entries[0][1]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = decodeValue(v);
    return out;
  }
  return value;
}
