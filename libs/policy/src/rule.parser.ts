import { type Check, FALSE_CHECK, TRUE_CHECK } from './check';

/** A rule string that cannot be parsed. */
export class PolicyRuleSyntaxError extends Error {
  constructor(readonly rule: string, reason: string) {
    super(`Invalid policy rule "${rule}": ${reason}`);
    this.name = 'PolicyRuleSyntaxError';
  }
}

type Token = { t: '(' } | { t: ')' } | { t: 'and' } | { t: 'or' } | { t: 'not' } | { t: 'check'; check: Check } | { t: 'string'; value: string };

function parseCheck(text: string, rule: string): Check {
  if (text === '!') return FALSE_CHECK;
  if (text === '@') return TRUE_CHECK;
  const colon = text.indexOf(':');
  if (colon < 0) throw new PolicyRuleSyntaxError(rule, `"${text}" is not a check (expected kind:match)`);
  const kind = text.slice(0, colon);
  const match = text.slice(colon + 1);
  if (kind === 'rule') return { kind: 'rule', name: match };
  if (kind === 'role') return { kind: 'role', match };
  // oslo's remote `http:` check would call out over the network; not supported here.
  if (kind === 'http' || kind === 'https') throw new PolicyRuleSyntaxError(rule, `the ${kind}: check is not supported`);
  return { kind: 'generic', key: kind, match };
}

/** oslo.policy's tokenizer: whitespace-separated words, parentheses peeled off their ends. */
function tokenize(rule: string): Token[] {
  const out: Token[] = [];
  for (const word of rule.split(/\s+/).filter(Boolean)) {
    let tok = word;
    while (tok.startsWith('(')) {
      out.push({ t: '(' });
      tok = tok.slice(1);
    }
    if (!tok) continue;
    let trail = 0;
    while (tok.endsWith(')')) {
      trail++;
      tok = tok.slice(0, -1);
    }
    const lowered = tok.toLowerCase();
    if (lowered === 'and' || lowered === 'or' || lowered === 'not') out.push({ t: lowered });
    else if (tok.length >= 2 && ((tok.startsWith('"') && tok.endsWith('"')) || (tok.startsWith("'") && tok.endsWith("'")))) {
      out.push({ t: 'string', value: tok.slice(1, -1) });
    } else if (tok) out.push({ t: 'check', check: parseCheck(tok, rule) });
    for (let i = 0; i < trail; i++) out.push({ t: ')' });
  }
  return out;
}

/**
 * Parses an oslo.policy rule: `role:x`, `rule:y`, `is_admin:True`, `project_id:%(project_id)s`,
 * `!` (nobody), `@` (anybody), `not` > `and` > `or`, parentheses. The empty rule allows everybody.
 * Throws {@link PolicyRuleSyntaxError}.
 */
export function parseRule(rule: string): Check {
  const tokens = tokenize(rule);
  if (tokens.length === 0) return TRUE_CHECK;
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];

  const parseOr = (): Check => {
    const parts = [parseAnd()];
    while (peek()?.t === 'or') {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? (parts[0] as Check) : { kind: 'or', checks: parts };
  };
  const parseAnd = (): Check => {
    const parts = [parseNot()];
    while (peek()?.t === 'and') {
      pos++;
      parts.push(parseNot());
    }
    return parts.length === 1 ? (parts[0] as Check) : { kind: 'and', checks: parts };
  };
  const parseNot = (): Check => {
    if (peek()?.t === 'not') {
      pos++;
      return { kind: 'not', check: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): Check => {
    const tok = tokens[pos++];
    if (!tok) throw new PolicyRuleSyntaxError(rule, 'unexpected end of rule');
    if (tok.t === 'check') return tok.check;
    if (tok.t === '(') {
      const inner = parseOr();
      if (tokens[pos++]?.t !== ')') throw new PolicyRuleSyntaxError(rule, 'missing ")"');
      return inner;
    }
    throw new PolicyRuleSyntaxError(rule, `unexpected "${tok.t === 'string' ? tok.value : tok.t}"`);
  };

  const check = parseOr();
  if (pos < tokens.length) {
    const tok = tokens[pos] as Token;
    throw new PolicyRuleSyntaxError(rule, `unexpected "${tok.t === 'check' ? 'check' : tok.t === 'string' ? tok.value : tok.t}"`);
  }
  return check;
}

/**
 * The old JSON list form: `[["a", "b"], ["c"]]` means `(a and b) or c`; `[]` allows everybody.
 */
export function parseRuleList(list: readonly (readonly string[])[]): Check {
  if (list.length === 0) return TRUE_CHECK;
  const ors = list.map((inner): Check => {
    const ands = inner.map((r) => parseRule(r));
    return ands.length === 1 ? (ands[0] as Check) : { kind: 'and', checks: ands };
  });
  return ors.length === 1 ? (ors[0] as Check) : { kind: 'or', checks: ors };
}
