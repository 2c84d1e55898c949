import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_IN_ONE, MULTINODE } from '../../tests/fixtures/deployments';
import { InventoryError, expandHostPattern, parseInventory } from './inventory';

function error(text: string): string {
  try {
    parseInventory(text, 'multinode');
  } catch (e) {
    assert.ok(e instanceof InventoryError, String(e));
    return e.message;
  }
  assert.fail('accepted a bad inventory');
}

void describe('inventory (Ansible INI)', () => {
  void test('all-in-one: every zun group resolves to localhost through :children', () => {
    const inv = parseInventory(ALL_IN_ONE, 'all-in-one');
    assert.deepEqual(inv.hosts, ['localhost']);
    for (const g of ['zun-api', 'zun-conductor', 'zun-scheduler', 'zun-wsproxy', 'zun-compute', 'mariadb', 'redis', 'keystone']) {
      assert.deepEqual(inv.hostsOf(g), ['localhost'], g);
    }
    assert.equal(inv.varsOf('localhost')['ansible_connection'], 'local');
    assert.deepEqual(inv.hostsOf('nothing'), []);
  });

  void test('multinode: nested children, host ranges, file order, and variable precedence', () => {
    const inv = parseInventory(MULTINODE, 'multinode');
    assert.deepEqual(inv.hosts, ['ctl1', 'ctl2', 'cmp01', 'cmp02']);
    assert.deepEqual(inv.hostsOf('zun-api'), ['ctl1', 'ctl2']); // zun-api -> zun -> control
    assert.deepEqual(inv.hostsOf('zun-compute'), ['cmp01', 'cmp02']);
    assert.deepEqual(inv.hostsOf('all'), ['ctl1', 'ctl2', 'cmp01', 'cmp02']);
    assert.ok(inv.groupsOf('ctl2').includes('zun-wsproxy'));
    assert.ok(!inv.groupsOf('ctl2').includes('compute'));
    // all:vars < group vars < the host's line
    assert.equal(inv.varsOf('cmp01')['ansible_user'], 'deploy');
    assert.equal(inv.varsOf('cmp01')['docker_host'], 'ssh://root@10.0.1.1');
    assert.equal(inv.varsOf('cmp02')['api_interface_address'], '10.0.1.1');
    assert.equal(inv.varsOf('ctl2')['docker_cert_path'], '/etc/zun-kolla/certs');
    const inner = parseInventory('[control]\nc1 x=host\nc2\n[zun:children]\ncontrol\n[control:vars]\nx=inner\ny=1\n[zun:vars]\nx=outer\ny=2\n', 'f');
    assert.equal(inner.varsOf('c1')['x'], 'host');
    assert.equal(inner.varsOf('c2')['x'], 'inner');
    assert.equal(inner.varsOf('c2')['y'], '1');
  });

  void test('host variables: quoted values, and a host on several lines collects them all', () => {
    const inv = parseInventory('[a]\nh1 note="two words" k=\'v 1\' empty=\n[b]\nh1 extra=1\n', 'f');
    assert.deepEqual(inv.varsOf('h1'), { note: 'two words', k: 'v 1', empty: '', extra: '1' });
    assert.deepEqual(inv.groupsOf('h1'), ['a', 'b']);
  });

  void test('host patterns: numeric ranges keep their width, letter ranges too', () => {
    assert.deepEqual(expandHostPattern('cmp[08:10]'), ['cmp08', 'cmp09', 'cmp10']);
    assert.deepEqual(expandHostPattern('n-[a:c].lan'), ['n-a.lan', 'n-b.lan', 'n-c.lan']);
    assert.deepEqual(expandHostPattern('plain'), ['plain']);
  });

  void test('bad input is reported with file and line', () => {
    assert.equal(error('[control]\nctl1\n[zun-api:children]\ncontrl\n'), 'multinode:4: [zun-api:children] names unknown group "contrl"');
    assert.equal(error('ctl1 ansible_host=10.0.0.1\n[control]\n'), 'multinode:1: host "ctl1" is in no group (list hosts under a [group] header)');
    assert.equal(error('[control]\nc1\n[compute:vars]\nx=1\n'), 'multinode:3: [compute:vars] is for unknown group "compute"');
    assert.equal(error('[control\n'), 'multinode:1: bad section header "[control" (expected [group], [group:children] or [group:vars])');
    assert.equal(error('[control:hosts]\n'), 'multinode:1: bad section header "[control:hosts]" (expected [group], [group:children] or [group:vars])');
    assert.equal(error('[control]\nc1 ansible_host\n'), 'multinode:2: expected key=value, got "ansible_host"');
    assert.equal(error('[control]\nc1\n[control:vars]\njust-a-word\n'), 'multinode:4: expected key=value in [control:vars], got "just-a-word"');
    assert.match(error('[a:children]\nb\n[b:children]\na\n'), /^multinode:\d: group "[ab]" contains itself \((a -> b -> a|b -> a -> b)\)$/);
    assert.equal(error('[control]\nc1\n[zun]\ncontrol\n'), 'multinode:4: "control" is a group name; list it under [zun:children] to nest groups');
  });

  void test('comments and blank lines are skipped; children may name a group defined later', () => {
    const inv = parseInventory('# c\n; c\n\n[zun-api:children]\ncontrol\n\n[control]\n  c1  \n', 'f');
    assert.deepEqual(inv.hostsOf('zun-api'), ['c1']);
  });
});
