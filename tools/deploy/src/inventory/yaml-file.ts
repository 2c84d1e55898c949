// Top-level YAML mappings (globals.yml, passwords.yml) with the line of every
// key, so that a bad value is reported as file:line.
import { type Document, LineCounter, isMap, isScalar, parseDocument } from 'yaml';

export class YamlFileError extends Error {
  override name = 'YamlFileError';
}

export interface YamlEntry {
  value: unknown;
  line: number;
}

export interface YamlMap {
  file: string;
  entries: Map<string, YamlEntry>;
  /** The parsed document, to edit while keeping comments (genpwd). */
  doc: Document;
}

/** Parses a YAML file whose top level is a mapping (an empty file is an empty mapping). */
export function parseYamlMap(text: string, file: string): YamlMap {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new YamlFileError(`${file}:${line}: bad YAML: ${first.message.split('\n')[0]}`);
  }
  const entries = new Map<string, YamlEntry>();
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return { file, entries, doc };
  if (!isMap(doc.contents)) throw new YamlFileError(`${file}:1: expected a mapping of "key: value" lines`);
  for (const item of doc.contents.items) {
    const key = isScalar(item.key) ? item.key.value : undefined;
    const line = lines.linePos(isScalar(item.key) ? (item.key.range?.[0] ?? 0) : 0).line;
    if (typeof key !== 'string') throw new YamlFileError(`${file}:${line}: keys must be plain names`);
    const value: unknown = item.value === null ? null : isScalar(item.value) ? item.value.value : (item.value as { toJSON(): unknown }).toJSON();
    entries.set(key, { value, line });
  }
  return { file, entries, doc };
}
