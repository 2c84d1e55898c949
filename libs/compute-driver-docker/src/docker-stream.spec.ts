import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demuxDockerStream } from './docker-stream';
import { JsonLineSplitter, toDriverEvent } from './docker-events.mapping';

function frame(kind: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = kind;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

describe('demuxDockerStream', () => {
  test('strips frame headers and keeps arrival order', () => {
    const d = demuxDockerStream(Buffer.concat([frame(1, 'out1\n'), frame(2, 'err\n'), frame(1, 'out2\n')]));
    assert.equal(d.combined.toString(), 'out1\nerr\nout2\n');
    assert.equal(d.stdout.toString(), 'out1\nout2\n');
    assert.equal(d.stderr.toString(), 'err\n');
  });

  test('unframed (TTY) output is returned whole', () => {
    const raw = Buffer.from('hello from a tty\r\n');
    assert.equal(demuxDockerStream(raw).combined.toString(), 'hello from a tty\r\n');
    assert.equal(demuxDockerStream(Buffer.alloc(0)).combined.length, 0);
  });
});

describe('docker events', () => {
  const uuid = '0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c';
  const base = { Type: 'container', Actor: { ID: 'abc', Attributes: { name: `zun-${uuid}`, exitCode: '3' } }, time: 1700000000, timeNano: 1700000000123456789 };

  test('die carries the exit code; health_status its value', () => {
    const die = toDriverEvent({ ...base, Action: 'die' });
    assert.deepEqual(die && { ...die, time: die.time.toISOString() }, {
      type: 'die',
      uuid,
      container_id: 'abc',
      time: '2023-11-14T22:13:20.123Z',
      exit_code: 3,
      health_status: null,
    });
    assert.equal(toDriverEvent({ ...base, Action: 'health_status: unhealthy' })?.health_status, 'unhealthy');
    assert.equal(toDriverEvent({ ...base, Action: 'oom' })?.type, 'oom');
  });

  test('other containers, other actions and other types are dropped', () => {
    assert.equal(toDriverEvent({ ...base, Action: 'exec_start: sh' }), null);
    assert.equal(toDriverEvent({ ...base, Type: 'network', Action: 'connect' }), null);
    assert.equal(toDriverEvent({ ...base, Action: 'die', Actor: { ID: 'x', Attributes: { name: 'nginx' } } }), null);
  });

  test('JSON lines split across chunks', () => {
    const s = new JsonLineSplitter();
    assert.deepEqual(s.push('{"Type":"container","Act'), []);
    const got = s.push('ion":"die"}\n{"Type":"x"}\n{"par');
    assert.deepEqual(got.map((m) => m.Type), ['container', 'x']);
    assert.deepEqual(s.push('tial":1}\n').length, 1);
  });
});
