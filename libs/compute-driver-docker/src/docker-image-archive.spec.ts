import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLoadOutput } from './docker-image-archive';

test('docker load output: tagged and untagged images, and an error inside the stream', () => {
  const ok = [
    JSON.stringify({ stream: 'Loaded image: busybox:latest\n' }),
    JSON.stringify({ stream: 'Loaded image ID: sha256:abc\n' }),
    '',
  ].join('\r\n');
  assert.deepEqual(parseLoadOutput(ok), { refs: ['busybox:latest'], ids: ['sha256:abc'], error: null });
  const bad = JSON.stringify({ errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' });
  assert.deepEqual(parseLoadOutput(`not json\n${bad}`), { refs: [], ids: [], error: 'unexpected EOF' });
});
