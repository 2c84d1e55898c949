import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loopBackingFile, loopDevicesBackedBy } from './loop-devices';

let sys: string;
const IMG = '/var/lib/zun/mnt/volumes/0a0a0a0a-0000-4000-8000-00000000000a.img';

function loop(name: string, backing?: string): void {
  mkdirSync(join(sys, 'block', name, 'loop'), { recursive: true });
  if (backing !== undefined) writeFileSync(join(sys, 'block', name, 'loop', 'backing_file'), `${backing}\n`);
}

void before(() => {
  sys = mkdtempSync(join(tmpdir(), 'zun-sys-'));
  loop('loop0', IMG);
  loop('loop1', '/other.img');
  loop('loop2'); // free: no backing_file
  loop('loop7', `${IMG} (deleted)`);
  mkdirSync(join(sys, 'block', 'vda'));
});
void after(() => rmSync(sys, { recursive: true, force: true }));

void describe('loop devices from sysfs', () => {
  void test('the backing file of a bound loop device; nothing for free devices and non-loop sources', async () => {
    assert.equal(await loopBackingFile('/dev/loop0', sys), IMG);
    assert.equal(await loopBackingFile('/dev/loop7', sys), IMG, 'an unlinked file still counts');
    assert.equal(await loopBackingFile('/dev/loop2', sys), undefined);
    assert.equal(await loopBackingFile('/dev/vda', sys), undefined);
    assert.equal(await loopBackingFile('tmpfs', sys), undefined);
  });

  void test('every loop device bound to a file', async () => {
    assert.deepEqual(await loopDevicesBackedBy(IMG, sys), ['/dev/loop0', '/dev/loop7']);
    assert.deepEqual(await loopDevicesBackedBy('/none.img', sys), []);
    assert.deepEqual(await loopDevicesBackedBy(IMG, join(sys, 'missing')), []);
  });
});
