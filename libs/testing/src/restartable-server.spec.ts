import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { RestartableServer } from './restartable-server';
import { tmpDir, type TmpDir } from './tmp-dir';

/** A "server" that is `sh -c SCRIPT`, answering once a file exists in its directory. */
class ShellServer extends RestartableServer {
  constructor(dir: TmpDir, private readonly script: string) {
    super(0, dir, { command: 'sh', logName: 'sh.log', startTimeoutMs: 2000 });
  }
  protected args(): string[] {
    return ['-c', this.script];
  }
  protected answers(): Promise<boolean> {
    return Promise.resolve(existsSync(this.dir.join('up')));
  }
}

test('start resolves once the server answers; stop kills it; start again gives a new process', async () => {
  const dir = tmpDir('zun-rs-');
  const s = new ShellServer(dir, `touch ${dir.join('up')}; exec sleep 30`);
  try {
    await s.start();
    const first = s.pid;
    assert.ok(first);
    await s.stop();
    assert.equal(s.pid, null);
    await s.start();
    assert.ok(s.pid && s.pid !== first);
  } finally {
    await s.close();
  }
});

test('a server that exits on start, or never answers, fails the start with the tail of its log', async () => {
  const exits = new ShellServer(tmpDir('zun-rs-'), 'echo broken config; exit 3');
  await assert.rejects(exits.start(), /sh exited on start:\nbroken config/);
  await exits.close();
  const silent = new ShellServer(tmpDir('zun-rs-'), 'echo waiting; exec sleep 30');
  await assert.rejects(silent.start(), /did not answer within 2 s:\nwaiting/);
  await silent.close();
});
