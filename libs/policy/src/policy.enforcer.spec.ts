import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyNotAuthorized, type RequestContext } from '@zun-ts/common';
import { type PolicyCredentials } from './check';
import { DEFAULT_RULES } from './default.rules';
import { credentialsFromContext, PolicyEnforcer, PolicyNotRegistered, resolvePolicyPath } from './policy.enforcer';

const dir = mkdtempSync(join(tmpdir(), 'zun-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const adminCtx: RequestContext = { requestId: 'req-1', userId: 'a', projectId: 'padmin', roles: ['admin', 'member'], isAdmin: true };
const demoCtx: RequestContext = { requestId: 'req-2', userId: 'd', projectId: 'pdemo', roles: ['member', 'reader'], isAdmin: false };
const admin = credentialsFromContext(adminCtx);
const demo = credentialsFromContext(demoCtx);
const own = { project_id: 'pdemo' };
const other = { project_id: 'pother' };

/** Writes a file and moves its mtime forward, so a rewrite within one clock tick is still seen. */
let tick = 1_000_000;
function write(path: string, text: string): void {
  writeFileSync(path, text);
  tick += 10;
  utimesSync(path, tick, tick);
}

describe('Zun default rules', () => {
  const p = new PolicyEnforcer();

  test('every §7 rule is registered with its default', () => {
    const byName = new Map(DEFAULT_RULES.map((r) => [r.name, r.check]));
    assert.equal(byName.get('context_is_admin'), 'role:admin');
    assert.equal(byName.get('admin_or_owner'), 'is_admin:True or project_id:%(project_id)s');
    assert.equal(byName.get('admin_api'), 'rule:context_is_admin');
    assert.equal(byName.get('deny_everybody'), '!');
    assert.equal(byName.get('container:create:privileged'), 'rule:deny_everybody');
    assert.equal(byName.get('network:attach_external_network'), 'role:admin');
    assert.equal(new Set(DEFAULT_RULES.map((r) => r.name)).size, DEFAULT_RULES.length, 'no duplicates');
    assert.equal(DEFAULT_RULES.length, 93, '4 base rules + 76 container-API rules + 6 volume rules + 7 network rules');
  });

  test('network rules: members make, see and delete their project\'s networks; sharing, all projects and the VNI are admin-only', () => {
    const byName = new Map(DEFAULT_RULES.map((r) => [r.name, r.check]));
    for (const r of ['network:create', 'network:get', 'network:get_all', 'network:delete']) assert.equal(byName.get(r), 'rule:admin_or_owner', r);
    for (const r of ['network:create:shared', 'network:get_all_all_projects', 'network:get_one:segmentation_id']) assert.equal(byName.get(r), 'rule:admin_api', r);
    assert.equal(p.enforce('network:create', own, demo), true);
    assert.equal(p.enforce('network:delete', own, demo), true);
    assert.equal(p.enforce('network:create:shared', own, demo), false);
    assert.equal(p.enforce('network:get_one:segmentation_id', own, demo), false);
  });

  test('volume rules: owner or admin for create, get, get_all, delete; all projects and the host field admin-only', () => {
    const byName = new Map(DEFAULT_RULES.map((r) => [r.name, r.check]));
    for (const r of ['volume:create', 'volume:get', 'volume:get_all', 'volume:delete']) assert.equal(byName.get(r), 'rule:admin_or_owner', r);
    for (const r of ['volume:get_all_all_projects', 'volume:get_one:host']) assert.equal(byName.get(r), 'rule:admin_api', r);
    assert.equal(p.enforce('volume:get', own, demo), true);
    assert.equal(p.enforce('volume:get_one:host', own, demo), false);
  });

  test('admin_or_owner rules: owner and admin pass, others fail', () => {
    assert.equal(p.enforce('container:get_one', own, demo), true);
    assert.equal(p.enforce('container:get_one', other, demo), false);
    assert.equal(p.enforce('container:get_one', other, admin), true);
    assert.equal(p.enforce('availability_zones:get_all', own, demo), true);
  });

  test('admin_api rules: admins only', () => {
    for (const rule of ['zun-service:get_all', 'zun-service:delete', 'zun-service:enable', 'zun-service:disable', 'zun-service:force_down', 'host:get_all', 'image:pull', 'container:get_one:host', 'container:action:events']) {
      assert.equal(p.enforce(rule, own, demo), false, rule);
      assert.equal(p.enforce(rule, own, admin), true, rule);
    }
  });

  test('privileged containers are denied to everybody, admins included', () => {
    assert.equal(p.enforce('container:create:privileged', own, admin), false);
  });

  test('authorize throws PolicyNotAuthorized with Zun\'s message', () => {
    assert.throws(() => p.authorize('zun-service:get_all', own, demo), (e: unknown) => {
      assert.ok(e instanceof PolicyNotAuthorized);
      assert.equal(e.message, "Policy doesn't allow zun-service:get_all to be performed.");
      assert.equal(e.status, 403);
      return true;
    });
    assert.doesNotThrow(() => p.authorize('zun-service:get_all', own, admin));
  });

  test('authorizeCaller checks a rule against the caller\'s own project', () => {
    assert.throws(() => p.authorizeCaller('zun-service:get_all', demoCtx), PolicyNotAuthorized);
    assert.doesNotThrow(() => p.authorizeCaller('zun-service:get_all', adminCtx));
    assert.doesNotThrow(() => p.authorizeCaller('container:create', demoCtx));
  });

  test('an unregistered rule is a programming error', () => {
    assert.throws(() => p.enforce('container:nope', own, admin), PolicyNotRegistered);
  });

  test('checkIsAdmin follows context_is_admin', () => {
    const { is_admin: _a, ...rest } = demo;
    assert.equal(p.checkIsAdmin(rest), false);
    const { is_admin: _b, ...restAdmin } = admin;
    assert.equal(p.checkIsAdmin(restAdmin), true);
  });
});

/** Files are looked at once per turn of the event loop, i.e. once per request. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('policy file overrides', () => {
  test('a missing file means defaults; a file appearing, changing and vanishing is followed', async () => {
    const file = join(dir, 'live.yaml');
    const p = new PolicyEnforcer({ policyFile: file });
    assert.equal(p.enforce('zun-service:get_all', own, demo), false);
    write(file, '"zun-service:get_all": "role:member"\n');
    await nextTurn(); // the next request
    assert.equal(p.enforce('zun-service:get_all', own, demo), true);
    write(file, '"zun-service:get_all": "rule:admin_api"\n');
    await nextTurn(); // the next request
    assert.equal(p.enforce('zun-service:get_all', own, demo), false);
    write(file, '"context_is_admin": "role:member"\n');
    await nextTurn(); // the next request
    assert.equal(p.enforce('zun-service:get_all', own, demo), true, 'base rule override flows through rule: references');
    rmSync(file);
    await nextTurn(); // the next request
    assert.equal(p.enforce('zun-service:get_all', own, demo), false);
  });

  test('a file broken at run time keeps the last good rules', async () => {
    const file = join(dir, 'broken.yaml');
    write(file, '"container:create": "!"\n');
    const p = new PolicyEnforcer({ policyFile: file });
    assert.equal(p.enforce('container:create', own, demo), false);
    write(file, 'nested:\n  x: y\n');
    await nextTurn(); // the next request
    assert.equal(p.enforce('container:create', own, demo), false);
    write(file, '"container:create": "@"\n');
    await nextTurn(); // the next request
    assert.equal(p.enforce('container:create', own, demo), true);
  });

  test('a file broken at start-up is refused', () => {
    const file = join(dir, 'bad-start.yaml');
    write(file, 'a: |\n  x\n');
    assert.throws(() => new PolicyEnforcer({ policyFile: file }), /bad-start\.yaml/);
  });

  test('an unparsable rule denies everybody (oslo behaviour)', () => {
    const file = join(dir, 'unparsable.json');
    write(file, '{"image:search": "role:admin or", "custom": "role:member"}');
    const p = new PolicyEnforcer({ policyFile: file });
    assert.equal(p.enforce('image:search', own, admin), false);
    assert.equal(p.enforce('custom', own, demo), true, 'new rules from the file can be enforced');
    assert.equal(p.hasRule('custom'), true);
  });

  test('policy directories apply after the file, in name order', async () => {
    const file = join(dir, 'base.yaml');
    const pd = join(dir, 'policy.d');
    mkdirSync(pd);
    write(file, '"image:search": "!"\n');
    write(join(pd, '10-a.yaml'), '"image:search": "role:reader"\n');
    write(join(pd, '20-b.yaml'), '"image:search": "role:member and role:reader"\n');
    const p = new PolicyEnforcer({ policyFile: file, policyDirs: [pd] });
    const readerOnly: PolicyCredentials = { ...demo, roles: ['reader'] };
    assert.equal(p.enforce('image:search', own, readerOnly), false);
    assert.equal(p.enforce('image:search', own, demo), true);
    rmSync(join(pd, '20-b.yaml'));
    await nextTurn(); // the next request
    assert.equal(p.enforce('image:search', own, readerOnly), true);
  });

  test('resolvePolicyPath looks in the config directories', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(b, 'policy.yaml'), '');
    assert.equal(resolvePolicyPath('policy.yaml', [a, b]), join(b, 'policy.yaml'));
    assert.equal(resolvePolicyPath('other.yaml', [a, b]), join(a, 'other.yaml'));
    assert.equal(resolvePolicyPath('/etc/zun/policy.yaml', [a]), '/etc/zun/policy.yaml');
  });
});
