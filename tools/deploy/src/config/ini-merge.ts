// INI files as Kolla-Ansible's merge_configs treats them: a generated file,
// then the operator's override files in order; sections merge, and per option
// the later file wins. Parsing is zun.conf's own parser (oslo.config rules).
import { existsSync, readFileSync } from 'node:fs';
import { parseIni } from '@zun-ts/config';

/** Sections in order, each with its options in order. */
export type IniData = Map<string, Map<string, string>>;

export class IniMergeError extends Error {
  override name = 'IniMergeError';
}

/** Builds IniData from a plain object; `undefined` and `null` options are left out. */
export function iniFrom(sections: Record<string, Record<string, string | number | boolean | undefined | null>>): IniData {
  const out: IniData = new Map();
  for (const [name, options] of Object.entries(sections)) {
    const sec = new Map<string, string>();
    for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== null) sec.set(k, String(v));
    out.set(name, sec);
  }
  return out;
}

/** Parses INI text; a syntax error is an IniMergeError naming file:line. */
export function parseIniData(text: string, file: string): IniData {
  const doc = parseIni(text);
  const first = doc.errors[0];
  if (first) throw new IniMergeError(`${file}:${first.line}: ${first.reason}`);
  const out: IniData = new Map(doc.sections.map((s) => [s, new Map<string, string>()]));
  for (const e of doc.entries) (out.get(e.section) as Map<string, string>).set(e.key, e.value);
  return out;
}

/** Merges `over` into a copy of `base`: new sections are appended, and an option set in both takes `over`'s value. */
export function mergeIni(base: IniData, over: IniData): IniData {
  const out: IniData = new Map([...base].map(([s, opts]) => [s, new Map(opts)]));
  for (const [s, opts] of over) {
    let sec = out.get(s);
    if (!sec) out.set(s, (sec = new Map()));
    for (const [k, v] of opts) sec.set(k, v);
  }
  return out;
}

/**
 * Merges the override files that exist, in the given order, into `base`.
 * @returns the merged data and the files that were applied
 */
export function mergeOverrideFiles(base: IniData, files: string[]): { data: IniData; applied: string[] } {
  let data = base;
  const applied: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    data = mergeIni(data, parseIniData(readFileSync(f, 'utf8'), f));
    applied.push(f);
  }
  return { data, applied };
}

/** Renders IniData: [DEFAULT] first, then the other sections in order, a blank line between sections. */
export function renderIni(data: IniData, header?: string): string {
  const names = [...data.keys()].sort((a, b) => Number(b === 'DEFAULT') - Number(a === 'DEFAULT'));
  const blocks = names.map((s) => [`[${s}]`, ...[...(data.get(s) as Map<string, string>)].map(([k, v]) => `${k} = ${v}`)].join('\n'));
  return `${header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n\n` : ''}${blocks.join('\n\n')}\n`;
}
