// The example inventories, globals.yml and passwords.yml shipped in deploy/
// load, pass the input prechecks and render.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderHost } from '../src/config/render';
import { type Deployment, deployedHosts } from '../src/inventory/deployment';
import { parseGlobals } from '../src/inventory/globals';
import { parseInventory } from '../src/inventory/inventory';
import { PASSWORD_KEYS, generatePasswords, parsePasswords } from '../src/inventory/passwords';
import { sanityChecks } from '../src/verbs/prechecks';

const deployDir = join(import.meta.dirname, '..', '..', '..', 'deploy');

function load(inventory: string): Deployment {
  const dir = mkdtempSync(join(tmpdir(), 'zun-kolla-examples-'));
  const pw = join(dir, 'passwords.yml');
  copyFileSync(join(deployDir, 'etc/kolla/passwords.yml'), pw);
  generatePasswords(pw);
  const globals = parseGlobals(readFileSync(join(deployDir, 'etc/kolla/globals.yml'), 'utf8'), 'globals.yml');
  assert.deepEqual(globals.ignored, []);
  return {
    inventory: parseInventory(readFileSync(join(deployDir, 'inventory', inventory), 'utf8'), inventory),
    globals: globals.globals,
    passwords: parsePasswords(readFileSync(pw, 'utf8'), pw),
    configDir: dir,
    interfaces: () => ({ eth0: [{ address: '10.0.0.11', family: 'IPv4', netmask: '255.255.255.0', mac: '00:00:00:00:00:00', internal: false, cidr: '10.0.0.11/24' }] }),
  };
}

void describe('shipped examples', () => {
  void test('passwords.yml template: genpwd fills every key and keeps the comments', () => {
    const dep = load('all-in-one');
    assert.equal(Object.keys(dep.passwords).length, PASSWORD_KEYS.length);
    const text = readFileSync(join(dep.configDir, 'passwords.yml'), 'utf8');
    assert.match(text, /^---\n# Filled by "zun-kolla genpwd"/);
    for (const k of PASSWORD_KEYS) assert.match(text, new RegExp(`^${k}: [A-Za-z0-9]{40}$`, 'm'));
  });

  void test('all-in-one passes the input prechecks and renders every service', () => {
    const dep = load('all-in-one');
    assert.deepEqual(sanityChecks(dep, deployedHosts(dep)), []);
    assert.equal(renderHost(dep, 'localhost').services.length, 8);
  });

  void test('multinode passes the input prechecks; compute hosts run zun-compute only', () => {
    const dep = load('multinode');
    assert.deepEqual(sanityChecks(dep, deployedHosts(dep)), []);
    assert.deepEqual(deployedHosts(dep), ['control01', 'compute01', 'compute02']);
    assert.deepEqual(renderHost(dep, 'compute02').services, ['zun-compute']);
    assert.equal(renderHost(dep, 'control01').services.length, 7);
  });
});
