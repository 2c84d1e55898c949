import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidValue } from './errors';
import { splitShellWords } from './shell-words';

describe('splitShellWords', () => {
  test('splits what the zun client sends (each argument double-quoted)', () => {
    assert.deepEqual(splitShellWords('"ls" "-l" "/tmp dir"'), ['ls', '-l', '/tmp dir']);
  });

  test('plain words, single quotes, escapes and empty arguments', () => {
    assert.deepEqual(splitShellWords("  sh -c 'echo $HOME; exit 3'  "), ['sh', '-c', 'echo $HOME; exit 3']);
    assert.deepEqual(splitShellWords('echo "a \\"b\\" \\\\ c" d\\ e'), ['echo', 'a "b" \\ c', 'd e']);
    assert.deepEqual(splitShellWords('a "" b'), ['a', '', 'b']);
    assert.deepEqual(splitShellWords('pre"mid"\'post\''), ['premidpost']);
    assert.deepEqual(splitShellWords(''), []);
  });

  test('an unterminated quote is InvalidValue', () => {
    assert.throws(() => splitShellWords('echo "oops'), InvalidValue);
    assert.throws(() => splitShellWords("echo 'oops"), InvalidValue);
  });
});
