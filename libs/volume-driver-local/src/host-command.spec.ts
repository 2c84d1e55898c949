import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandFailed, execFileRunner } from './host-command';

void describe('execFileRunner', () => {
  const run = execFileRunner({ timeoutMs: 5_000 });

  void test('arguments reach the program as they are, never through a shell', async () => {
    const { stdout } = await run('echo', ['a; touch /nonexistent-dir/x', '$HOME', '`id`']);
    assert.equal(stdout, 'a; touch /nonexistent-dir/x $HOME `id`\n');
  });

  void test('a non-zero exit is CommandFailed with the code and the end of stderr', async () => {
    await assert.rejects(run('ls', ['/nonexistent-zun-path']), (err: unknown) => {
      assert.ok(err instanceof CommandFailed);
      assert.equal(err.code, 2);
      assert.equal(err.notInstalled, false);
      assert.match(err.message, /^ls \/nonexistent-zun-path: .*No such file or directory/);
      return true;
    });
  });

  void test('a missing program says it is not installed; a hung one is killed at the timeout', async () => {
    await assert.rejects(run('zun-no-such-program', []), (err: unknown) => err instanceof CommandFailed && err.notInstalled && /is not installed/.test(err.message));
    await assert.rejects(execFileRunner({ timeoutMs: 200 })('sleep', ['5']), (err: unknown) => err instanceof CommandFailed && /timed out after 200 ms/.test(String(err.code)));
  });
});
