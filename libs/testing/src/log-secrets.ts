import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A value that must never be written to a log, under the name a finding reports it by. */
export interface KnownSecret {
  name: string;
  value: string;
}

/** One line of one file that holds a secret; the secret itself is never part of it. */
export interface SecretFinding {
  file: string;
  line: number;
  /** What was found: a known secret's name, or the kind of pattern. */
  what: string;
}

/** Shapes of secrets whose value no one knows in advance. */
const PATTERNS: { what: string; re: RegExp }[] = [
  // Keystone's Fernet tokens (and its credential blobs) are base64url of a version byte 0x80: "gAAAAA…"
  { what: 'a Keystone token', re: /gAAAAA[A-Za-z0-9_-]{40,}={0,2}/ },
];

/**
 * JSON keys whose string value is a secret unless it is masked ("***", empty). A JSON log line with
 * `"password":"s3cret"` is a finding even when nobody told the scanner what the password is.
 */
const SECRET_KEYS = /"(password|passwd|auth_token|x-auth-token|token|secret|auth_encryption_key|encryption_key|credentials)"\s*:\s*"([^"]*)"/gi;
const MASKED = /^(\*+|<redacted>|redacted|)$/i;

/** The findings in one text (a file's content), line by line. */
export function scanText(text: string, file: string, secrets: readonly KnownSecret[]): SecretFinding[] {
  const out: SecretFinding[] = [];
  const known = secrets.filter((s) => s.value.length >= 6); // a short value would match by chance
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const found = new Set<string>();
    for (const s of known) if (line.includes(s.value)) found.add(s.name);
    for (const p of PATTERNS) if (p.re.test(line)) found.add(p.what);
    for (const m of line.matchAll(SECRET_KEYS)) {
      if (!MASKED.test(m[2] ?? '')) found.add(`a "${(m[1] ?? '').toLowerCase()}" field`);
    }
    for (const what of found) out.push({ file, line: i + 1, what });
  }
  return out;
}

/** Every `*.log` file under `dir`, depth first, sorted. */
export function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...logFiles(p));
    else if (name.endsWith('.log')) out.push(p);
  }
  return out;
}

/** Scans each file (a directory stands for the `*.log` files under it). */
export function scanFiles(paths: readonly string[], secrets: readonly KnownSecret[]): { files: number; findings: SecretFinding[] } {
  const files = paths.flatMap((p) => (existsSync(p) && statSync(p).isDirectory() ? logFiles(p) : existsSync(p) ? [p] : []));
  const findings = files.flatMap((f) => scanText(readFileSync(f, 'utf8'), f, secrets));
  return { files: files.length, findings };
}

/** One line per finding, then a count; the secrets themselves are never printed. */
export function formatFindings(findings: readonly SecretFinding[], files: number): string {
  const lines = findings.map((f) => `${f.file}:${f.line}: ${f.what}`);
  lines.push(`${findings.length} line(s) with a secret in ${files} log file(s)`);
  return lines.join('\n');
}
