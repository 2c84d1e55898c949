const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX32 = /^[0-9a-f]{32}$/i;

/** The canonical 8-4-4-4-12 hex form (any case): how Zun writes every uuid it makes. */
export function isCanonicalUuid(value: string): boolean {
  return CANONICAL.test(value);
}

/**
 * Zun's "looks like a UUID", which decides whether an identifier is looked up as a uuid or as a name:
 * the canonical form or the same 32 hex digits without dashes, any case.
 */
export function isUuidLike(value: string): boolean {
  return CANONICAL.test(value) || HEX32.test(value);
}
