import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { claimOneOf, type ClaimTry, selectAndClaim } from './claim-loop';

/** Claims that succeed on the hosts in `free` only, recording each host tried. */
function claims(free: string[]): { claim: (host: string) => Promise<ClaimTry>; tried: string[] } {
  const tried: string[] = [];
  return { tried, claim: async (host) => (tried.push(host), free.includes(host) ? { placed: host } : 'refused') };
}

describe('claimOneOf', () => {
  test('claims in order until one host takes the container; refused when none does; stops at a drop', async () => {
    const c = claims(['b', 'c']);
    assert.deepEqual(await claimOneOf(['a', 'b', 'c'], c.claim), { placed: 'b' });
    assert.deepEqual(c.tried, ['a', 'b']);
    assert.equal(await claimOneOf(['a', 'x'], claims([]).claim), 'refused');
    assert.equal(await claimOneOf([], claims([]).claim), 'refused');
    let after = 0;
    assert.equal(await claimOneOf(['a', 'b'], async (h) => (h === 'a' ? 'dropped' : (after++, 'refused'))), 'dropped');
    assert.equal(after, 0);
  });
});

describe('selectAndClaim', () => {
  /** A scheduler of `hosts` (best first) answering the best `n` not refused yet. */
  const scheduler = (hosts: string[], n: number) => {
    const asked: string[][] = [];
    return { asked, select: async (refused: readonly string[]) => (asked.push([...refused]), hosts.filter((h) => !refused.includes(h)).slice(0, n)) };
  };

  test('every offered host full: asks again without them until a claim succeeds', async () => {
    const s = scheduler(['a', 'b', 'c', 'd', 'e'], 2);
    const p = await selectAndClaim(s.select, claims(['e']).claim);
    assert.deepEqual(p, { outcome: { placed: 'e' }, selects: 3, refused: ['a', 'b', 'c', 'd'] });
    assert.deepEqual(s.asked, [[], ['a', 'b'], ['a', 'b', 'c', 'd']]);
  });

  test('refused when the scheduler has nothing (new) to offer; dropped when select ended the build', async () => {
    assert.deepEqual(await selectAndClaim(scheduler(['a', 'b'], 2).select, claims([]).claim), { outcome: 'refused', selects: 2, refused: ['a', 'b'] });
    // A scheduler that offers a refused host again ends the loop rather than spinning.
    let selects = 0;
    const stubborn = async (): Promise<string[]> => (selects++, ['a']);
    assert.equal((await selectAndClaim(stubborn, claims([]).claim)).outcome, 'refused');
    assert.equal(selects, 2);
    assert.deepEqual(await selectAndClaim(async () => null, claims(['a']).claim), { outcome: 'dropped', selects: 1, refused: [] });
  });
});
