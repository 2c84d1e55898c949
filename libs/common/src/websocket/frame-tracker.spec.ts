import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeFrame, FrameTracker } from './frame-tracker';

/** A frame as an endpoint would write it: FIN, `opcode`, `payload`, masked with `mask` when given. */
function frame(opcode: number, payload: Buffer, mask?: Buffer): Buffer {
  const len = payload.length;
  const ext = len < 126 ? Buffer.alloc(0) : len < 65536 ? Buffer.alloc(2) : Buffer.alloc(8);
  if (len >= 126 && len < 65536) ext.writeUInt16BE(len);
  if (len >= 65536) ext.writeBigUInt64BE(BigInt(len));
  const head = Buffer.from([0x80 | opcode, (mask ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127)]);
  const body = mask ? Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number))) : payload;
  return Buffer.concat([head, ext, mask ?? Buffer.alloc(0), body]);
}

describe('FrameTracker', () => {
  test('counts data payload across every header size, fed one byte at a time or whole', () => {
    const mask = Buffer.from([1, 2, 3, 4]);
    const stream = Buffer.concat([
      frame(2, Buffer.alloc(5, 7), mask),
      frame(1, Buffer.alloc(300, 7)),
      frame(0x9, Buffer.from('ping')), // control frames are not payload
      frame(2, Buffer.alloc(70_000, 7), mask),
    ]);
    const whole = new FrameTracker();
    whole.feed(stream);
    assert.equal(whole.payloadBytes, 5 + 300 + 70_000);
    assert.equal(whole.atBoundary, true);
    const bytewise = new FrameTracker();
    for (let i = 0; i < stream.length; i++) {
      bytewise.feed(stream.subarray(i, i + 1));
      if (i === 3) assert.equal(bytewise.atBoundary, false, 'inside the first frame');
    }
    assert.equal(bytewise.payloadBytes, whole.payloadBytes);
    assert.equal(bytewise.atBoundary, true);
  });

  test('feed returns where the first frame in the chunk ends', () => {
    const t = new FrameTracker();
    const a = frame(2, Buffer.from('abc'));
    const b = frame(2, Buffer.from('de'));
    assert.equal(t.feed(Buffer.concat([a, b]).subarray(0, 2)), -1);
    assert.equal(t.feed(Buffer.concat([a, b]).subarray(2)), a.length - 2);
  });

  test("reads a close frame's code, masked or not, and 1005 when it has none", () => {
    const masked = new FrameTracker();
    masked.feed(closeFrame(1001, 'bye', true).subarray(0, 7));
    assert.equal(masked.closed, null, 'not before the frame ends');
    masked.feed(closeFrame(1001, 'bye', true).subarray(7));
    assert.deepEqual(masked.closed, { code: 1001 });
    const keyed = new FrameTracker();
    const payload = Buffer.from([0x03, 0xf6]); // 1014
    keyed.feed(frame(8, payload, Buffer.from([0xaa, 0x55, 0x0f, 0xf0])));
    assert.deepEqual(keyed.closed, { code: 1014 });
    const bare = new FrameTracker();
    bare.feed(frame(8, Buffer.alloc(0)));
    assert.deepEqual(bare.closed, { code: 1005 });
  });

  test('closeFrame writes what a WebSocket endpoint reads', () => {
    assert.deepEqual([...closeFrame(1000, 'ok', false)], [0x88, 4, 0x03, 0xe8, 0x6f, 0x6b]);
    assert.deepEqual([...closeFrame(1000, '', true)], [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);
  });
  test('textAsBinary turns every text frame into a binary frame in place, headers split or not; payload, continuation and control frames untouched', () => {
    const payload = Buffer.from([0xff, 0xfe, 0x01, 0x02]); // not UTF-8
    const stream = Buffer.concat([frame(1, payload), frame(0, Buffer.from('x')), frame(0x9, Buffer.from('p')), frame(1, Buffer.alloc(300, 0xc3))]);
    const whole = Buffer.from(stream);
    new FrameTracker(true).feed(whole);
    const expected = Buffer.concat([frame(2, payload), frame(0, Buffer.from('x')), frame(0x9, Buffer.from('p')), frame(2, Buffer.alloc(300, 0xc3))]);
    assert.ok(whole.equals(expected));
    const pieces = Buffer.from(stream);
    const t = new FrameTracker(true);
    for (let i = 0; i < pieces.length; i++) t.feed(pieces.subarray(i, i + 1));
    assert.ok(pieces.equals(expected));
    const untouched = Buffer.from(stream);
    new FrameTracker().feed(untouched);
    assert.ok(untouched.equals(stream), 'without the option nothing is rewritten');
  });

  test('closeStart names where the first close frame began in the chunk just fed, and -1 otherwise', () => {
    const data = frame(2, Buffer.from('abc'));
    const t = new FrameTracker();
    t.feed(Buffer.concat([data, closeFrame(1000, '', false)]));
    assert.equal(t.closeStart, data.length);
    t.feed(frame(2, Buffer.from('z')));
    assert.equal(t.closeStart, -1, 'reset by the next chunk');
    const split = new FrameTracker();
    const close = closeFrame(1000, 'bye', false);
    split.feed(close.subarray(0, 1));
    split.feed(close.subarray(1));
    assert.equal(split.closeStart, -1, 'its header began in an earlier chunk');
    assert.deepEqual(split.closed, { code: 1000 });
  });
});
