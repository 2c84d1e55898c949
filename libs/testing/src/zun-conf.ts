import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** zun.conf as sections of options; booleans and numbers are written as oslo.config reads them. */
export type ZunConfSections = Record<string, Record<string, string | number | boolean>>;

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The `[DEFAULT] auth_encryption_key` every zun.conf of the tests gets unless it names one: zun-api and zun-compute
 * refuse to start without a key, and all services of one test must share it. A test key, never a deployment's.
 */
export const TEST_AUTH_ENCRYPTION_KEY = 'zun-ts-test-auth-encryption-key-0123456789';

/**
 * Renders `sections` as zun.conf text (INI, `[DEFAULT]` first) and, given `file`, also writes it there (mode 600: it
 * holds keys and passwords). `[DEFAULT] auth_encryption_key` is {@link TEST_AUTH_ENCRYPTION_KEY} unless given (an
 * empty value stays empty, to test the refusal). Throws on a name or value that would not survive the round trip.
 */
export function writeZunConf(given: ZunConfSections, file?: string): string {
  const sections: ZunConfSections = { ...given, DEFAULT: { ...given['DEFAULT'] } };
  if (sections['DEFAULT'] && !('auth_encryption_key' in sections['DEFAULT'])) sections['DEFAULT']['auth_encryption_key'] = TEST_AUTH_ENCRYPTION_KEY;
  const names = Object.keys(sections).sort((a, b) => (a === 'DEFAULT' ? -1 : b === 'DEFAULT' ? 1 : 0));
  const out: string[] = [];
  for (const section of names) {
    if (!NAME.test(section)) throw new Error(`zun.conf: bad section name ${JSON.stringify(section)}`);
    if (out.length) out.push('');
    out.push(`[${section}]`);
    for (const [option, value] of Object.entries(sections[section] ?? {})) {
      if (!NAME.test(option)) throw new Error(`zun.conf: bad option name [${section}] ${JSON.stringify(option)}`);
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`zun.conf: [${section}] ${option} is not a finite number`);
      const text = String(value);
      if (/[\r\n]/.test(text)) throw new Error(`zun.conf: [${section}] ${option} holds a line break`);
      out.push(text === '' ? `${option} =` : `${option} = ${text}`);
    }
  }
  const text = `${out.join('\n')}\n`;
  if (file !== undefined) writeFileSync(file, text, { mode: 0o600 });
  return text;
}

/**
 * Merges zun.conf sections, later parts winning option by option:
 * `mergeZunConf(simHostConf(host), { DEFAULT: { report_interval: 2 }, redis: { url } })`.
 */
export function mergeZunConf(...parts: ZunConfSections[]): ZunConfSections {
  const out: ZunConfSections = {};
  for (const part of parts) {
    for (const [section, options] of Object.entries(part)) out[section] = { ...out[section], ...options };
  }
  return out;
}

/**
 * `[network]` options of their own for the services a test starts on a shared Docker engine: a default pool
 * `10.N.0.0/16` with N drawn from 100–199 and a range of VNIs from a random base above 100000. Subnets and VNIs
 * are unique per database, and the engine refuses a second network that overlaps one of another database (or
 * takes its bridge name): the stack's own pool is 10.200.0.0/16 and its VNIs start at 1.
 */
export function privateNetworkConf(): { default_pool: string; segmentation_id_min: number } {
  return {
    default_pool: `10.${100 + Math.floor(Math.random() * 100)}.0.0/16`,
    segmentation_id_min: 100_000 + Math.floor(Math.random() * 1_000) * 1_000,
  };
}

/**
 * The options of one section of the stack's zun.conf (`<stackState>/zun.conf`), as written: e.g.
 * `[keystone_authtoken]`, the service user a test's own zun-api validates tokens with.
 */
export function stackConfSection(stackState: string, section: string): Record<string, string> {
  const out: Record<string, string> = {};
  let inSection = false;
  for (const line of readFileSync(join(stackState, 'zun.conf'), 'utf8').split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      inSection = header[1] === section;
      continue;
    }
    const kv = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (inSection && kv?.[1]) out[kv[1]] = kv[2] ?? '';
  }
  return out;
}
