import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveImage } from '@zun-ts/image-registry';
import { TagFreshness } from './tag-freshness';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

/** A registry answering HEADs of manifests: `digests` by `path:tag`, 404 for the rest; requests are recorded. */
function registry(digests: Record<string, string>, opts: { user?: string; down?: boolean } = {}) {
  const seen: Array<{ url: string; method: string; authorization: string | null }> = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    seen.push({ url, method: init?.method ?? 'GET', authorization: headers.get('authorization') });
    if (opts.down) throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    if (opts.user && headers.get('authorization') !== `Basic ${Buffer.from(`${opts.user}:pw`).toString('base64')}`) {
      return new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="r"' } });
    }
    const m = /\/v2\/(.+)\/manifests\/([^/]+)$/.exec(new URL(url).pathname);
    const digest = m ? digests[`${m[1]}:${m[2]}`] : undefined;
    return digest ? new Response(null, { status: 200, headers: { 'Docker-Content-Digest': digest } }) : new Response(null, { status: 404 });
  }) as typeof fetch;
  return { seen, freshness: new TagFreshness({ fetch: fetchFn }) };
}

const busybox = resolveImage('busybox', { defaultRegistry: '127.0.0.1:5050' });

describe('TagFreshness.unchanged', () => {
  test('true only when the digest the registry gives for the tag is one the engine recorded for this repository', async () => {
    const { freshness, seen } = registry({ 'busybox:latest': DIGEST });
    assert.equal(await freshness.unchanged(busybox, [`127.0.0.1:5050/busybox@${DIGEST}`], undefined), true);
    assert.deepEqual(seen.map((s) => [s.method, s.url]), [['HEAD', 'http://127.0.0.1:5050/v2/busybox/manifests/latest']]);
    assert.equal(await freshness.unchanged(busybox, [`127.0.0.1:5050/busybox@${OTHER}`], undefined), false, 'the tag moved');
    assert.equal(await freshness.unchanged(busybox, [`127.0.0.1:5050/other@${DIGEST}`], undefined), false, 'another repository');
    assert.equal(await freshness.unchanged(resolveImage('127.0.0.1:5050/busybox:gone'), [`127.0.0.1:5050/busybox@${DIGEST}`], undefined), false, 'no such tag');
  });

  test('"no" without asking: no registry domain (Docker Hub), a digest reference, nothing recorded', async () => {
    const { freshness, seen } = registry({ 'library/busybox:latest': DIGEST, 'busybox:latest': DIGEST });
    assert.equal(await freshness.unchanged(resolveImage('busybox'), [`busybox@${DIGEST}`], undefined), false);
    assert.equal(await freshness.unchanged(resolveImage(`127.0.0.1:5050/busybox@${DIGEST}`), [`127.0.0.1:5050/busybox@${DIGEST}`], undefined), false);
    assert.equal(await freshness.unchanged(busybox, [], undefined), false);
    assert.equal(await freshness.unchanged(busybox, undefined, undefined), false);
    assert.equal(seen.length, 0);
  });

  test('"no" when the registry cannot be reached or refuses the credentials; the pull\'s credentials are the ones sent', async () => {
    const down = registry({ 'busybox:latest': DIGEST }, { down: true });
    assert.equal(await down.freshness.unchanged(busybox, [`127.0.0.1:5050/busybox@${DIGEST}`], undefined), false);
    const guarded = registry({ 'busybox:latest': DIGEST }, { user: 'alice' });
    const recorded = [`127.0.0.1:5050/busybox@${DIGEST}`];
    assert.equal(await guarded.freshness.unchanged(busybox, recorded, undefined), false, 'anonymous is refused');
    assert.equal(await guarded.freshness.unchanged(busybox, recorded, { username: 'mallory', password: 'pw', serveraddress: '127.0.0.1:5050' }), false);
    assert.equal(await guarded.freshness.unchanged(busybox, recorded, { username: 'alice', password: 'pw', serveraddress: '127.0.0.1:5050' }), true);
  });
});
