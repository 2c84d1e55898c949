// Scans service logs for secrets: `tools/stack test` runs it after every test, over the stack's
// own service logs and those of every service a test started (ZUN_TEST_LOG_ARCHIVE).
//
//   node --import tsx tools/src/log-secrets.ts --state STATE_DIR PATH...
//
// The known secrets come from the state dir (the Keystone users' password, the auth_encryption_key,
// Redis's password when it has one); tokens and "password"-like JSON fields are found by their shape.
// Prints file:line and what was found, never the secret; exit status 1 when anything was found.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatFindings, scanFiles, type KnownSecret } from '@zun-ts/testing';

function secretsOf(state: string): KnownSecret[] {
  const files: [string, string][] = [
    ['the Keystone users\' password', join(state, 'keystone', 'password')],
    ['the auth_encryption_key', join(state, 'auth-encryption-key')],
    ['Redis\'s password', join(state, 'redis', 'password')],
  ];
  return files.filter(([, f]) => existsSync(f)).map(([name, f]) => ({ name, value: readFileSync(f, 'utf8').trim() }));
}

const argv = process.argv.slice(2);
const at = argv.indexOf('--state');
const state = at >= 0 ? argv[at + 1] : undefined;
const paths = argv.filter((_, i) => i !== at && i !== at + 1);
if (!state || !paths.length) {
  process.stderr.write('usage: log-secrets.ts --state STATE_DIR PATH...\n');
  process.exit(2);
}
const secrets = secretsOf(state);
const { files, findings } = scanFiles(paths, secrets);
process.stdout.write(`${formatFindings(findings, files)} (looked for ${secrets.length} known secret(s), tokens and password fields)\n`);
process.exit(findings.length ? 1 : 0);
