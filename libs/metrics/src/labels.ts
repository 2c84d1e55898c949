/**
 * Label values must come from a small, known set: a container uuid, a host name or free text as a label
 * value would make a new time series per container. These helpers map anything else to a fixed word.
 */

/** The value used for anything outside a label's known set. */
export const OTHER = 'other';

/** `value` when it is one of `allowed`, else `other`. */
export function oneOf<T extends string>(value: string | undefined | null, allowed: readonly T[]): T | typeof OTHER {
  return value !== undefined && value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : OTHER;
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** An HTTP method as a label: the standard ones, anything else `other`. */
export function httpMethodLabel(method: string | undefined): string {
  return oneOf(method?.toUpperCase(), HTTP_METHODS);
}

/** An HTTP status as a label: the three digits, or `other` for anything that is not a status code. */
export function httpStatusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER;
}

/**
 * A name that belongs to code (an RPC method, a filter's class name, a route template): kept when it is a short
 * identifier, else `other`. Never pass data (ids, host names, user input) here: use {@link oneOf} for those.
 */
export function codeNameLabel(name: string | undefined): string {
  return name !== undefined && /^[A-Za-z_][A-Za-z0-9_.:/{}-]{0,99}$/.test(name) ? name : OTHER;
}

const UUID = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;

/**
 * A route template as a label (`/v1/containers/:container_ident`), or `unmatched` for a request no route took.
 * A template holding a uuid or an all-digits segment is refused (`other`): it would be a raw path.
 */
export function routeLabel(template: string | undefined): string {
  if (template === undefined) return 'unmatched';
  if (UUID.test(template) || /\/\d+(\/|$)/.test(template)) return OTHER;
  return /^\/[A-Za-z0-9_.:/{}-]{0,199}$/.test(template) ? template : OTHER;
}
