/** A policy file that cannot be read as a flat mapping of rule name → check. */
export class PolicyFileError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'PolicyFileError';
  }
}

/** A rule as written in a file: a check string, or the old JSON list-of-lists form. */
export type PolicyFileRule = string | readonly (readonly string[])[];

function isRuleList(v: unknown): v is (readonly string[])[] {
  return Array.isArray(v) && v.every((inner) => Array.isArray(inner) && inner.every((s) => typeof s === 'string'));
}

function fromJson(text: string, file: string): Map<string, PolicyFileRule> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PolicyFileError(file, `invalid JSON: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyFileError(file, 'the document must be a mapping of rule name to check string');
  const out = new Map<string, PolicyFileRule>();
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof value === 'string' || isRuleList(value)) out.set(name, value);
    else throw new PolicyFileError(file, `rule "${name}" must be a string`);
  }
  return out;
}

/** Reads a YAML double-quoted scalar starting at `s[0] === '"'`; returns the value and the rest of the line. */
function doubleQuoted(s: string, where: () => string): [string, string] {
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '"') return [out, s.slice(i + 1)];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', ' ': ' ' };
    if (e !== undefined && e in simple) out += simple[e];
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new Error(`bad escape in ${where()}`);
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i += len;
    } else throw new Error(`bad escape "\\${e ?? ''}" in ${where()}`);
  }
  throw new Error(`unterminated quoted string in ${where()} (multi-line strings are not supported)`);
}

function singleQuoted(s: string, where: () => string): [string, string] {
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "'") {
      if (s[i + 1] === "'") {
        out += "'";
        i++;
        continue;
      }
      return [out, s.slice(i + 1)];
    }
    out += c;
  }
  throw new Error(`unterminated quoted string in ${where()} (multi-line strings are not supported)`);
}

function restIsComment(rest: string): boolean {
  const t = rest.trim();
  return t === '' || t.startsWith('#');
}

/**
 * Parses the subset of YAML that policy files use: one `"name": "check"` pair per line
 * (keys and values plain, single- or double-quoted), comments, blank lines, `---`.
 * Anything else (nesting, block scalars, multi-line strings) is refused with the line number.
 */
function fromYaml(text: string, file: string): Map<string, PolicyFileRule> {
  const out = new Map<string, PolicyFileRule>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [idx, raw] of lines.entries()) {
    const lineNo = idx + 1;
    const where = (): string => `line ${lineNo}`;
    const fail = (reason: string): never => {
      throw new PolicyFileError(file, `${reason} at line ${lineNo} (only "rule": "check" lines are supported)`);
    };
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === '---' || trimmed === '...' || trimmed === '{}') continue;
    if (/^\s/.test(raw)) fail('unexpected indentation');
    try {
      let key: string;
      let rest: string;
      if (raw.startsWith('"')) [key, rest] = doubleQuoted(raw, where);
      else if (raw.startsWith("'")) [key, rest] = singleQuoted(raw, where);
      else {
        // A plain key ends at the first ": " (rule names themselves contain colons).
        const m = /^(.*?)\s*(:(?:\s[\s\S]*)?)$/.exec(raw);
        if (!m) return fail('expected "name: check"');
        key = m[1] as string;
        rest = m[2] as string;
      }
      rest = rest.replace(/^\s*/, '');
      if (!rest.startsWith(':') || (rest.length > 1 && !/^:\s/.test(rest))) fail('expected ":" after the rule name');
      const valueText = rest.slice(1).trim();
      let value: string;
      if (valueText === '' || valueText.startsWith('#')) return fail(`rule "${key}" has no value (write "" to allow everybody)`);
      if (valueText.startsWith('"') || valueText.startsWith("'")) {
        let after: string;
        [value, after] = valueText.startsWith('"') ? doubleQuoted(valueText, where) : singleQuoted(valueText, where);
        if (!restIsComment(after)) fail('unexpected text after the quoted value');
      } else {
        if (/^[[{|>&*!%@`]/.test(valueText)) fail(`unsupported value "${valueText}"`);
        value = valueText.replace(/\s+#.*$/, '').trim();
      }
      out.set(key, value);
    } catch (e) {
      if (e instanceof PolicyFileError) throw e;
      throw new PolicyFileError(file, (e as Error).message);
    }
  }
  return out;
}

/**
 * Parses a policy file (YAML or JSON; JSON is also valid YAML) into rule name → rule.
 * Throws {@link PolicyFileError} naming the file and line.
 */
export function parsePolicyFile(text: string, file = 'policy file'): Map<string, PolicyFileRule> {
  const body = text.replace(/^\uFEFF/, '');
  const firstCode = body.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (firstCode !== undefined && firstCode.trim().startsWith('{') && firstCode.trim() !== '{}') return fromJson(body, file);
  return fromYaml(body, file);
}
