import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from './config.loader';

void describe('[capsule] options', () => {
  const file = (text: string): string => {
    const p = join(mkdtempSync(join(tmpdir(), 'zun-capsule-conf-')), 'zun.conf');
    writeFileSync(p, text);
    return p;
  };

  void test('default to Zun\'s sandbox image, pulled when missing', () => {
    const c = loadConfig(['--config-file', file('[DEFAULT]\nhost = h1\n')], { env: {} });
    assert.equal(c.capsule.sandbox_image, 'kubernetes/pause:3.0');
    assert.equal(c.capsule.sandbox_image_pull_policy, 'ifnotpresent');
    assert.equal(c.capsule.sandbox_image_driver, 'docker');
  });

  void test('read from the file, an unknown pull policy refused', () => {
    const c = loadConfig(['--config-file', file('[capsule]\nsandbox_image = reg:5000/pause:9\nsandbox_image_pull_policy = always\n')], { env: {} });
    assert.equal(c.capsule.sandbox_image, 'reg:5000/pause:9');
    assert.equal(c.capsule.sandbox_image_pull_policy, 'always');
    assert.throws(() => loadConfig(['--config-file', file('[capsule]\nsandbox_image_pull_policy = sometimes\n')], { env: {} }));
  });
});
