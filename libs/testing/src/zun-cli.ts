import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The `OS_*` variables an openrc file exports (`export OS_X=value`, quotes removed). */
export function parseOpenrc(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*export\s+(OS_[A-Za-z0-9_]+)=(.*?)\s*$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    let value = m[2];
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
      // a double-quoted shell word may escape these
      if (m[2][0] === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    env[m[1]] = value;
  }
  return env;
}

/** The `OS_*` variables of `<stateDir>/<user>-openrc` (e.g. the stack's admin-openrc). */
export function openrcEnv(stateDir: string, user: string): Record<string, string> {
  const file = join(stateDir, `${user}-openrc`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file} (is the stack up?): ${(err as Error).message}`);
  }
  const env = parseOpenrc(text);
  if (!env['OS_AUTH_URL']) throw new Error(`${file} exports no OS_AUTH_URL`);
  return env;
}

/** What a command printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `zun` client (python3-zunclient) as `user` of the stack in
 * `stateDir`: only PATH, HOME and that user's openrc in the environment (plus
 * `opts.env`), so nothing of the test's own environment leaks in. A non-zero
 * exit is returned, not thrown; a missing client or a timeout throws.
 */
export async function runZun(
  stateDir: string,
  user: string,
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', LANG: 'C.UTF-8', ...openrcEnv(stateDir, user), ...opts.env };
  const timeoutMs = opts.timeoutMs ?? 60_000;
  try {
    const { stdout, stderr } = await run('zun', args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; signal?: string | null; killed?: boolean; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('the zun client is not installed (apt-get install python3-zunclient)');
    if (e.killed || (e.signal && e.code === null)) throw new Error(`zun ${args.join(' ')} did not finish within ${timeoutMs} ms\n${e.stderr ?? ''}`);
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Cells of one table line, cut at the `+` positions of the border line (so a `|` inside a cell is kept). */
function cells(line: string, cuts: number[] | null): string[] {
  if (cuts && line.length === (cuts.at(-1) ?? 0) + 1) {
    return cuts.slice(0, -1).map((start, i) => line.slice(start + 1, cuts[i + 1]).trim());
  }
  return line.split('|').slice(1, -1).map((c) => c.trim());
}

/** The lines of the first prettytable in `stdout`: its border's `+` positions, and its `|` lines. */
function firstTable(stdout: string): { cuts: number[] | null; lines: string[] } {
  const lines: string[] = [];
  let cuts: number[] | null = null;
  let started = false;
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '').trimEnd();
    const isBorder = /^\+[-+=]*\+$/.test(line);
    if (!isBorder && !line.startsWith('|')) {
      if (started) break;
      continue;
    }
    started = true;
    if (isBorder) {
      cuts ??= [...line].flatMap((ch, i) => (ch === '+' ? [i] : []));
    } else {
      lines.push(line);
    }
  }
  return { cuts, lines };
}

/**
 * The rows of the first table (prettytable, as `zun list` prints it) in
 * `stdout`, each keyed by the header's column names. A line whose first cell
 * is empty continues the row above (a multi-line cell): its cells are appended
 * with a line break. No table: `[]`.
 */
export function parseTable(stdout: string): Record<string, string>[] {
  const { cuts, lines } = firstTable(stdout);
  const [headerLine, ...rest] = lines;
  if (headerLine === undefined) return [];
  const header = cells(headerLine, cuts);
  const rows: Record<string, string>[] = [];
  for (const line of rest) {
    const values = cells(line, cuts);
    const previous = rows[rows.length - 1];
    if (previous && values[0] === '' && values.some((v) => v !== '')) {
      header.forEach((h, i) => {
        const v = values[i] ?? '';
        if (v !== '') previous[h] = previous[h] ? `${previous[h]}\n${v}` : v;
      });
      continue;
    }
    rows.push(Object.fromEntries(header.map((h, i) => [h, values[i] ?? ''])));
  }
  return rows;
}

/**
 * A `Property | Value` table (as `zun show` prints it) as a record. A value the
 * client wrapped over several lines (empty Property cell) is joined with line
 * breaks. Throws when `stdout` holds no such table.
 */
export function parseShow(stdout: string): Record<string, string> {
  const { cuts, lines } = firstTable(stdout);
  const [headerLine, ...rest] = lines;
  const header = headerLine === undefined ? [] : cells(headerLine, cuts);
  if (header.length !== 2) throw new Error(`no two-column Property/Value table in:\n${stdout}`);
  const record: Record<string, string> = {};
  let last: string | undefined;
  for (const line of rest) {
    const [key = '', value = ''] = cells(line, cuts);
    if (key === '' && last !== undefined) {
      record[last] = record[last] ? `${record[last]}\n${value}` : value;
      continue;
    }
    record[key] = value;
    last = key;
  }
  return record;
}
