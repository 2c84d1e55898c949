import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';

const fixture = join(__dirname, 'fixtures', 'workers.fixture.ts');

/** Runs the fixture and collects the pids its workers announce. */
class Fixture {
  readonly child: ChildProcess;
  readonly ready: number[] = [];
  private waiters: (() => void)[] = [];
  out = '';

  constructor(workers: number) {
    this.child = spawn(process.execPath, ['--import', 'tsx', fixture, String(workers)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      this.out += chunk;
      for (const m of chunk.matchAll(/^ready (\d+)$/gm)) this.ready.push(Number(m[1]));
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => void (this.out += chunk.toString()));
  }

  async waitReady(n: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.ready.length < n) {
      if (Date.now() > deadline) assert.fail(`expected ${n} workers ready, saw ${this.ready.length}; output:\n${this.out}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  exited(timeoutMs: number): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`fixture did not exit within ${timeoutMs} ms; output:\n${this.out}`)), timeoutMs);
      this.child.once('exit', (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('launchWorkers (real processes)', () => {
  const started: Fixture[] = [];
  after(() => {
    for (const f of started) if (f.child.exitCode === null && f.child.pid) f.child.kill('SIGKILL');
  });

  test('a killed worker is replaced; SIGTERM stops every worker and the primary exits 0', async () => {
    const f = new Fixture(2);
    started.push(f);
    await f.waitReady(2);
    const [first, second] = f.ready;
    assert.ok(first && second && first !== second);
    assert.notEqual(first, f.child.pid, 'workers are separate processes');

    process.kill(first, 'SIGKILL');
    await f.waitReady(3);
    const replacement = f.ready[2];
    assert.ok(replacement && replacement !== first && replacement !== second);
    assert.equal(alive(first), false);
    assert.ok(alive(second) && alive(replacement));
    assert.match(f.out, /worker died, replacing it/);

    f.child.kill('SIGTERM');
    assert.equal(await f.exited(15_000), 0);
    assert.equal(await waitDead(second, 2000), true, 'worker stopped');
    assert.equal(await waitDead(replacement, 2000), true, 'replacement stopped');
    assert.match(f.out, /all workers exited/);
  });

  test('one worker runs in the launching process itself', async () => {
    const f = new Fixture(1);
    started.push(f);
    await f.waitReady(1);
    assert.equal(f.ready[0], f.child.pid);
    f.child.kill('SIGTERM');
    assert.equal(await f.exited(10_000), 0);
  });
});
