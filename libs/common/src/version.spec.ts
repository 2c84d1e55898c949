import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion, zunVersion } from './version';

test('ZUN_VERSION wins over package.json', () => {
  assert.equal(zunVersion({ ZUN_VERSION: ' 1.2.3+b ' }), '1.2.3+b');
});

test('without ZUN_VERSION: the version of the zun-ts package.json above the code', () => {
  const own = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
  assert.equal(zunVersion({}), own.version);
});

test('packageVersion skips a package.json of another name and finds zun-ts further up', () => {
  const root = mkdtempSync(join(tmpdir(), 'zun-version-'));
  try {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'zun-ts', version: '9.8.7' }));
    mkdirSync(join(root, 'libs/x/src'), { recursive: true });
    writeFileSync(join(root, 'libs/x/package.json'), JSON.stringify({ name: '@zun-ts/x', version: '0.0.1' }));
    assert.equal(packageVersion(join(root, 'libs/x/src')), '9.8.7');
    rmSync(join(root, 'package.json'));
    assert.equal(packageVersion(join(root, 'libs/x/src')), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
