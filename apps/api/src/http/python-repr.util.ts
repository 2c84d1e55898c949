/** How deep {@link pyRepr} descends; deeper lists and dicts print as `[...]` and `{...}`, as Python prints a cycle. */
export const PY_REPR_MAX_DEPTH = 64;

/**
 * Python's `repr()` and `str()` of JSON values, which jsonschema's messages (and so Zun's error
 * messages) are made of: `'text'`, `True`, `None`, `{'a': [1, 2]}`. Values nested deeper than
 * {@link PY_REPR_MAX_DEPTH} are cut short (a request body may nest as deep as its size allows).
 */
export function pyRepr(v: unknown, depth = 0): string {
  if (typeof v === 'string') return pyStringRepr(v);
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return pyNumberRepr(v, false);
  if (Array.isArray(v)) return depth >= PY_REPR_MAX_DEPTH ? '[...]' : `[${v.map((x) => pyRepr(x, depth + 1)).join(', ')}]`;
  if (typeof v === 'object') {
    if (depth >= PY_REPR_MAX_DEPTH) return '{...}';
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyStringRepr(k)}: ${pyRepr(x, depth + 1)}`).join(', ')}}`;
  }
  return String(v);
}

/** Python's `str()`: strings as they are, everything else as its repr. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** A number as Python prints it; `float` marks a Python float (printed `16.0`, not `16`). */
export function pyNumberRepr(n: number, float: boolean): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (float && Number.isInteger(n)) return `${n}.0`;
  return String(n);
}

function pyStringRepr(s: string): string {
  // Python prefers single quotes and switches to double quotes only to avoid escaping.
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
