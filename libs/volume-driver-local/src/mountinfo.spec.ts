import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mountAt, parseMountinfo, unescapeMountPath } from './mountinfo';

const SAMPLE = [
  '26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '44 26 7:0 / /var/lib/zun/mnt/volumes/0a0a0a0a-0000-4000-8000-00000000000a rw,nosuid,nodev,relatime shared:30 - ext4 /dev/loop0 rw',
  '45 26 0:50 / /srv/with\\040space rw - tmpfs tmpfs rw,size=1024k',
  'garbage line',
  '46 44 7:1 / /var/lib/zun/mnt/volumes/0a0a0a0a-0000-4000-8000-00000000000a rw - xfs /dev/loop1 rw',
  '',
].join('\n');

void describe('mountinfo', () => {
  void test('parses fields, skips bad lines, unescapes octal', () => {
    const m = parseMountinfo(SAMPLE);
    assert.equal(m.length, 4);
    assert.deepEqual(
      { ...m[1] },
      {
        mountId: 44,
        parentId: 26,
        device: '7:0',
        root: '/',
        mountPoint: '/var/lib/zun/mnt/volumes/0a0a0a0a-0000-4000-8000-00000000000a',
        options: 'rw,nosuid,nodev,relatime',
        fstype: 'ext4',
        source: '/dev/loop0',
        superOptions: 'rw',
      },
    );
    assert.equal(m[2]?.mountPoint, '/srv/with space');
    assert.equal(unescapeMountPath('a\\011b\\134c\\012'), 'a\tb\\c\n');
  });

  void test('mountAt picks the mount on top of a stack, or nothing', () => {
    const m = parseMountinfo(SAMPLE);
    assert.equal(mountAt(m, '/var/lib/zun/mnt/volumes/0a0a0a0a-0000-4000-8000-00000000000a')?.source, '/dev/loop1');
    assert.equal(mountAt(m, '/var/lib/zun/mnt'), undefined);
  });
});
