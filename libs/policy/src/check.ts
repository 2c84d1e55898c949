/** A parsed policy rule (oslo.policy semantics). */
export type Check =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'not'; readonly check: Check }
  | { readonly kind: 'and'; readonly checks: readonly Check[] }
  | { readonly kind: 'or'; readonly checks: readonly Check[] }
  /** `rule:<name>`: the result of another rule. */
  | { readonly kind: 'rule'; readonly name: string }
  /** `role:<name>`: the caller holds that role (case-insensitive). */
  | { readonly kind: 'role'; readonly match: string }
  /** `<key>:<match>`: a credential (or a literal) equals the match, after `%(x)s` substitution from the target. */
  | { readonly kind: 'generic'; readonly key: string; readonly match: string };

/** What a rule is evaluated against: attributes of the object acted upon. */
export type PolicyTarget = Readonly<Record<string, unknown>>;

/** What the caller is: oslo.context's policy values plus `is_admin`. */
export interface PolicyCredentials {
  user_id: string | null;
  project_id: string | null;
  roles: readonly string[];
  is_admin: boolean;
  [key: string]: unknown;
}

/** Allows everybody (`@`, or an empty rule). */
export const TRUE_CHECK: Check = { kind: 'true' };
/** Allows nobody (`!`). */
export const FALSE_CHECK: Check = { kind: 'false' };

/** Python's `str()` of a value, which is what oslo compares against. */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * Python's `match % target` for the `%(name)s` form; `null` when a key is missing
 * (oslo then denies the check).
 */
export function interpolate(match: string, target: PolicyTarget): string | null {
  let missing = false;
  const out = match.replace(/%(?:\(([^)]*)\)s|%)/g, (whole: string, key: string | undefined) => {
    if (whole === '%%') return '%';
    if (key === undefined || !Object.prototype.hasOwnProperty.call(target, key)) {
      missing = true;
      return '';
    }
    return pyStr(target[key]);
  });
  return missing ? null : out;
}

/** `ast.literal_eval` on the left side of a generic check, for the few literal kinds oslo allows. */
function literalKind(kind: string): string | undefined {
  if (kind.length >= 2 && ((kind.startsWith("'") && kind.endsWith("'")) || (kind.startsWith('"') && kind.endsWith('"')))) {
    return kind.slice(1, -1);
  }
  if (kind === 'True' || kind === 'False' || kind === 'None') return kind;
  if (/^[+-]?\d+$/.test(kind)) return String(Number.parseInt(kind, 10));
  return undefined;
}

function findInCreds(value: unknown, path: readonly string[], match: string): boolean {
  if (path.length === 0) return match === pyStr(value);
  if (value === null || typeof value !== 'object') return false;
  const [key, ...rest] = path as [string, ...string[]];
  if (!Object.prototype.hasOwnProperty.call(value, key)) return false;
  const next = (value as Record<string, unknown>)[key];
  if (Array.isArray(next)) return next.some((item) => findInCreds(item, rest, match));
  return findInCreds(next, rest, match);
}

/** Looks up a named rule; `undefined` when no such rule exists (the check then fails). */
export type RuleResolver = (name: string) => Check | undefined;

const MAX_RULE_DEPTH = 32;

/** Evaluates a check; a `rule:` cycle or an unknown rule denies. */
export function evaluate(check: Check, target: PolicyTarget, creds: PolicyCredentials, resolve: RuleResolver, depth = 0): boolean {
  switch (check.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'not':
      return !evaluate(check.check, target, creds, resolve, depth);
    case 'and':
      return check.checks.every((c) => evaluate(c, target, creds, resolve, depth));
    case 'or':
      return check.checks.some((c) => evaluate(c, target, creds, resolve, depth));
    case 'rule': {
      const rule = resolve(check.name);
      if (!rule || depth >= MAX_RULE_DEPTH) return false;
      return evaluate(rule, target, creds, resolve, depth + 1);
    }
    case 'role': {
      const wanted = interpolate(check.match, target);
      if (wanted === null) return false;
      const lowered = wanted.toLowerCase();
      return creds.roles.some((r) => r.toLowerCase() === lowered);
    }
    case 'generic': {
      const match = interpolate(check.match, target);
      if (match === null) return false;
      const literal = literalKind(check.key);
      if (literal !== undefined) return match === literal;
      return findInCreds(creds, check.key.split('.'), match);
    }
  }
}
