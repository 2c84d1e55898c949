import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseArgs } from '../cli/args';
import { SERVICES } from '../catalogue/services';
import { UPGRADE_ORDER, batches } from './upgrade-order';

void describe('rolling upgrade order', () => {
  test("Nova's order: conductor, scheduler, api, wsproxy, compute last; every Zun service once", () => {
    assert.deepEqual([...UPGRADE_ORDER], ['zun-conductor', 'zun-scheduler', 'zun-api', 'zun-wsproxy', 'zun-compute']);
    assert.deepEqual([...UPGRADE_ORDER].sort(), Object.keys(SERVICES).filter((s) => s.startsWith('zun-')).sort());
  });

  test('--serial N and N% batch the hosts; without it, all at once', () => {
    const h = ['a', 'b', 'c', 'd', 'e'];
    assert.deepEqual(batches(h, undefined), [h]);
    assert.deepEqual(batches(h, '2'), [['a', 'b'], ['c', 'd'], ['e']]);
    assert.deepEqual(batches(h, '40%'), [['a', 'b'], ['c', 'd'], ['e']]);
    assert.deepEqual(batches(h, '10%'), [['a'], ['b'], ['c'], ['d'], ['e']], 'at least one host per batch');
    assert.deepEqual(batches(h, '9'), [h]);
    assert.deepEqual(batches([], '1'), []);
  });

  test('--serial is checked on the command line', () => {
    assert.equal(parseArgs(['upgrade', '--serial', '1']).serial, '1');
    assert.equal(parseArgs(['upgrade', '--serial=50%']).serial, '50%');
    for (const bad of ['0', 'x', '150%', '-1']) assert.throws(() => parseArgs(['upgrade', '--serial', bad]), /--serial needs N or N%/);
  });
});
