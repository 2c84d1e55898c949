/** One `key = value` line of an INI file. */
export interface IniEntry {
  section: string;
  key: string;
  value: string;
  line: number;
}

/** What an INI file holds, in file order, plus its syntax errors. */
export interface IniDocument {
  entries: IniEntry[];
  /** Every section header seen, including empty sections. */
  sections: string[];
  errors: { line: number; reason: string }[];
}

/**
 * Parses zun.conf the way oslo.config does: `[section]` headers, `key = value` or
 * `key: value` (whichever separator comes first), whole-line `#` and `;` comments,
 * trimmed values and one pair of matching surrounding quotes removed. A `#` inside
 * a value is kept (passwords may contain it).
 */
export function parseIni(text: string): IniDocument {
  const doc: IniDocument = { entries: [], sections: [], errors: [] };
  let section: string | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, rawLine] of lines.entries()) {
    const line = rawLine.trim();
    const n = i + 1;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const m = /^\[([^\]]*)\]$/.exec(line);
      const name = m?.[1]?.trim();
      if (!name) {
        doc.errors.push({ line: n, reason: `invalid section header ${JSON.stringify(line)}` });
        section = null;
        continue;
      }
      section = name;
      if (!doc.sections.includes(name)) doc.sections.push(name);
      continue;
    }
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    const at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    if (at < 0) {
      doc.errors.push({ line: n, reason: `expected "key = value", got ${JSON.stringify(line)}` });
      continue;
    }
    const key = line.slice(0, at).trim();
    if (key === '') {
      doc.errors.push({ line: n, reason: `missing option name in ${JSON.stringify(line)}` });
      continue;
    }
    if (section === null) {
      doc.errors.push({ line: n, reason: `option "${key}" appears before any [section] header` });
      continue;
    }
    let value = line.slice(at + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    doc.entries.push({ section, key, value, line: n });
  }
  return doc;
}
