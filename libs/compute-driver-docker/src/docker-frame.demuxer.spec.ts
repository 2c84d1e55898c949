import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerFrameDemuxer } from './docker-frame.demuxer';

function frame(stream: 1 | 2, payload: string): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(Buffer.byteLength(payload), 4);
  return Buffer.concat([h, Buffer.from(payload)]);
}

async function run(chunks: Buffer[]): Promise<string> {
  const d = new DockerFrameDemuxer();
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    d.once('end', resolve);
    d.once('error', reject);
  });
  for (const c of chunks) d.write(c);
  d.end();
  await ended;
  return Buffer.concat(out).toString();
}

describe('DockerFrameDemuxer', () => {
  const stream = Buffer.concat([frame(1, 'hello '), frame(2, 'err '), frame(1, ''), frame(1, 'world\n')]);

  test('strips headers, keeping stdout and stderr in arrival order', async () => {
    assert.equal(await run([stream]), 'hello err world\n');
  });

  test('frames split at every possible byte boundary come out the same', async () => {
    for (let cut = 1; cut < stream.length; cut++) {
      assert.equal(await run([stream.subarray(0, cut), stream.subarray(cut)]), 'hello err world\n', `cut at ${cut}`);
    }
    assert.equal(await run([...stream].map((b) => Buffer.from([b]))), 'hello err world\n', 'one byte at a time');
  });

  test('a header cut short by the end carries nothing; a malformed header is an error', async () => {
    assert.equal(await run([frame(1, 'ok'), Buffer.from([1, 0, 0])]), 'ok');
    await assert.rejects(run([Buffer.from('not a docker frame')]), /malformed Docker stream frame header/);
  });
});
