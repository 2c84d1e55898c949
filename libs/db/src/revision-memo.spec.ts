import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REVISION_MEMO_ROWS, RevisionMemo } from './revision-memo';

interface Row {
  id: number;
  name: string;
  labels: Record<string, string> | null;
  command: string[] | null;
  created_at: Date;
}

const row = (id: number, name = `r${id}`): Row => ({ id, name, labels: { k: 'v' }, command: ['sh', '-c', 'x'], created_at: new Date(0) });

describe('RevisionMemo', () => {
  test('a row is found at exactly the revision it was kept at', () => {
    const memo = new RevisionMemo<Row>();
    assert.equal(memo.max, REVISION_MEMO_ROWS);
    assert.equal(memo.get(1, 0), undefined);
    const kept = memo.put(1, 0, row(1));
    assert.equal(memo.get(1, 0), kept, 'the same object each time');
    assert.equal(memo.get(1, 0), kept);
    assert.equal(memo.get(1, 1), undefined, 'a newer revision is a miss');
    const newer = memo.put(1, 1, row(1, 'renamed'));
    assert.equal(memo.get(1, 1), newer);
    assert.equal(memo.get(1, 0), undefined, 'the older revision is gone');
    assert.equal(memo.size, 1);
    memo.delete(1);
    assert.equal(memo.get(1, 1), undefined);
  });

  test('kept rows are frozen with their JSON documents; dates are left as they are', () => {
    const memo = new RevisionMemo<Row>();
    const r = memo.put(1, 0, row(1));
    assert.ok(Object.isFrozen(r));
    assert.ok(Object.isFrozen(r.labels));
    assert.ok(Object.isFrozen(r.command));
    assert.ok(!Object.isFrozen(r.created_at));
    assert.throws(() => {
      (r as { name: string }).name = 'x';
    }, TypeError);
    assert.throws(() => {
      (r.command as string[]).push('y');
    }, TypeError);
  });

  test('bounded: past max rows the oldest unread row goes; rows read since the last pass get a second chance', () => {
    const memo = new RevisionMemo<Row>(4);
    for (let id = 1; id <= 4; id++) memo.put(id, 0, row(id));
    memo.put(5, 0, row(5));
    assert.equal(memo.size, 4);
    assert.equal(memo.get(1, 0), undefined, 'the oldest went first');
    // 2 is read (hot); 3 is not: the next row to come pushes out 3, not 2
    assert.ok(memo.get(2, 0));
    memo.put(6, 0, row(6));
    assert.ok(memo.get(2, 0), 'read since the last pass: kept');
    assert.equal(memo.get(3, 0), undefined);
    assert.equal(memo.size, 4);
    // a long run of new rows never grows it past max
    for (let id = 100; id < 200; id++) memo.put(id, 0, row(id));
    assert.equal(memo.size, 4);
    memo.clear();
    assert.equal(memo.size, 0);
  });

  test('max must be a positive integer', () => {
    assert.throws(() => new RevisionMemo(0), RangeError);
    assert.throws(() => new RevisionMemo(1.5), RangeError);
  });
});
