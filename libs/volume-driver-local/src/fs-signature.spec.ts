import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fsSignatureOf } from './fs-signature';

const ID = '0a0a0a0a-0000-4000-8000-00000000000a';
const idBytes = Buffer.from(ID.replace(/-/g, ''), 'hex');

void describe('fsSignatureOf', () => {
  void test('recognises ext4 by its magic and reads its uuid', () => {
    const b = Buffer.alloc(2048);
    b.writeUInt16LE(0xef53, 1024 + 0x38);
    idBytes.copy(b, 1024 + 0x68);
    assert.deepEqual(fsSignatureOf(b), { fstype: 'ext4', uuid: ID });
  });

  void test('recognises xfs by its magic and reads its uuid', () => {
    const b = Buffer.alloc(512);
    b.write('XFSB', 0, 'latin1');
    idBytes.copy(b, 32);
    assert.deepEqual(fsSignatureOf(b), { fstype: 'xfs', uuid: ID });
  });

  void test('zeros, short reads and other magics are no filesystem', () => {
    assert.deepEqual(fsSignatureOf(Buffer.alloc(2048)), { fstype: null, uuid: null });
    assert.deepEqual(fsSignatureOf(Buffer.alloc(100)), { fstype: null, uuid: null });
    const b = Buffer.alloc(2048);
    b.writeUInt16LE(0xef54, 1024 + 0x38);
    assert.deepEqual(fsSignatureOf(b), { fstype: null, uuid: null });
  });
});
