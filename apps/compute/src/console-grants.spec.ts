import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleGrants } from './console-grants';

const A = '3f0e6a1c-2b4d-4e5f-8a9b-0c1d2e3f4a5b';
const B = '7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6';
const EXEC = 'e'.repeat(64);

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('ConsoleGrants', () => {
  test('an attach token opens its own container only, as often as needed until it expires', () => {
    const c = clock();
    const g = new ConsoleGrants(600_000, c.now);
    const ta = g.mint('attach', A, A);
    const tb = g.mint('attach', B, B);
    assert.match(ta, /^[0-9a-f]{64}$/);
    assert.deepEqual(g.admit('attach', A, ta), { ok: true, grant: { kind: 'attach', target: A, containerUuid: A, expiresAt: 1_600_000 } });
    assert.equal(g.admit('attach', A, ta).ok, true, 'an attach token may open several sessions');
    assert.deepEqual(g.admit('attach', A, tb), { ok: false, refusal: 'mismatch', reason: 'Invalid token.' });
    assert.equal(g.admit('exec', A, ta).ok, false, 'an attach token opens no exec');
    c.advance(600_001);
    assert.deepEqual(g.admit('attach', A, ta), { ok: false, refusal: 'expired', reason: 'The console token has expired: attach again.' });
    assert.equal(g.admit('attach', A, ta).ok, false);
  });

  test('a new attach replaces the container\'s token', () => {
    const g = new ConsoleGrants(60_000);
    const first = g.mint('attach', A, A);
    const second = g.mint('attach', A, A);
    assert.notEqual(first, second);
    assert.equal(g.admit('attach', A, first).ok, false);
    assert.equal(g.admit('attach', A, second).ok, true);
  });

  test('an exec token opens its exec once', () => {
    const g = new ConsoleGrants(60_000);
    const t = g.mint('exec', EXEC, A);
    assert.deepEqual(g.admit('exec', EXEC, 'x'.repeat(64)), { ok: false, refusal: 'mismatch', reason: 'Invalid token.' });
    const ok = g.admit('exec', EXEC, t);
    assert.equal(ok.ok && ok.grant.containerUuid, A);
    assert.deepEqual(g.admit('exec', EXEC, t), { ok: false, refusal: 'unknown', reason: 'No console session was granted for this exec.' });
  });

  test('unknown sessions are refused; expired grants are pruned on the next mint', () => {
    const c = clock();
    const g = new ConsoleGrants(1000, c.now);
    assert.equal(g.admit('attach', A, 'anything').ok, false);
    g.mint('attach', A, A);
    g.mint('exec', EXEC, A);
    assert.equal(g.size, 2);
    c.advance(1001);
    g.mint('attach', B, B);
    assert.equal(g.size, 1);
    assert.equal(g.admit('attach', A, 'anything').ok, false);
  });
});
