import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consoleTokenDigest, consoleTokenMatches, newConsoleToken } from './console-token';

describe('console tokens', () => {
  test('are 32 random bytes in hex, never twice the same', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = newConsoleToken();
      assert.match(t, /^[0-9a-f]{64}$/);
      seen.add(t);
    }
    assert.equal(seen.size, 200);
  });

  test('match only themselves, whether compared with the token or its digest', () => {
    const t = newConsoleToken();
    assert.equal(consoleTokenMatches(t, t), true);
    assert.equal(consoleTokenMatches(t, consoleTokenDigest(t)), true);
    assert.equal(consoleTokenMatches(`${t.slice(0, 63)}0` === t ? `${t.slice(0, 63)}1` : `${t.slice(0, 63)}0`, t), false);
    assert.equal(consoleTokenMatches(t.toUpperCase(), t), false);
    assert.equal(consoleTokenMatches('', t), false);
    assert.equal(consoleTokenMatches(`${t}x`, t), false, 'a longer token does not match its prefix');
    assert.equal(consoleTokenMatches(t.slice(0, 10), t), false);
  });
});
