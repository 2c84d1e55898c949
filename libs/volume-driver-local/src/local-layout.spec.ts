import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalLayout, idOfFile, volumeIdOfImage } from './local-layout';
import { mkfsCommand } from './local-volume.driver';

const ID = '0a0a0a0a-0000-4000-8000-00000000000a';

void describe('local layout', () => {
  void test('every path lies under the prefix; containers bind a directory inside the mounted filesystem', () => {
    const l = new LocalLayout('/var/lib/zun/mnt');
    assert.deepEqual(
      [l.image(ID), l.imagePart(ID), l.mountPoint(ID), l.data(ID), l.file(ID), l.filePart(ID)],
      [
        `/var/lib/zun/mnt/volumes/${ID}.img`,
        `/var/lib/zun/mnt/volumes/.${ID}.img.part`,
        `/var/lib/zun/mnt/volumes/${ID}`,
        `/var/lib/zun/mnt/volumes/${ID}/data`,
        `/var/lib/zun/mnt/files/${ID}`,
        `/var/lib/zun/mnt/files/.${ID}.part`,
      ],
    );
  });

  void test('only finished images and uuid-named files are listed', () => {
    assert.equal(volumeIdOfImage(`${ID}.img`), ID);
    for (const n of [`.${ID}.img.part`, ID, `${ID}.img.bak`, 'x.img']) assert.equal(volumeIdOfImage(n), undefined, n);
    assert.equal(idOfFile(ID), ID);
    assert.equal(idOfFile(`.${ID}.part`), undefined);
  });

  void test('mkfs sets the filesystem uuid to the volume id and never prompts', () => {
    assert.deepEqual(mkfsCommand('ext4', ID, '/p/x.part'), ['mkfs.ext4', ['-q', '-F', '-m', '0', '-U', ID, '-E', 'lazy_itable_init=1,lazy_journal_init=1,nodiscard', '/p/x.part']]);
    assert.deepEqual(mkfsCommand('xfs', ID, '/p/x.part'), ['mkfs.xfs', ['-q', '-f', '-K', '-m', `uuid=${ID}`, '/p/x.part']]);
  });
});
