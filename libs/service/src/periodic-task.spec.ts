import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Logger, silentLogger } from '@zun-ts/common';
import { PeriodicTask } from './periodic-task';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function recordingLogger(): Logger & { warnings: Array<Record<string, unknown> | undefined> } {
  const warnings: Array<Record<string, unknown> | undefined> = [];
  const logger = silentLogger();
  return Object.assign(Object.create(logger) as Logger, { warn: (_msg: string, meta?: Record<string, unknown>) => void warnings.push(meta), warnings });
}

describe('PeriodicTask', () => {
  test('runs at start and again an interval after each run, until stopped', async () => {
    let runs = 0;
    const task = new PeriodicTask('count', 40, async () => void runs++, silentLogger());
    task.start();
    task.start(); // a second start is a no-op
    await sleep(10);
    assert.equal(runs, 1, 'first run at start');
    await sleep(100);
    assert.ok(runs >= 2 && runs <= 4, `runs every 40 ms (${runs})`);
    await task.stop();
    const stopped = runs;
    await sleep(100);
    assert.equal(runs, stopped, 'no run after stop');
  });

  test('runs never overlap: a slow run delays the next', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const task = new PeriodicTask('slow', 5, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(30);
      active--;
      runs++;
    }, silentLogger());
    task.start();
    await Promise.all([task.runNow(), task.runNow()]);
    await sleep(80);
    await task.stop();
    assert.equal(maxActive, 1);
    assert.ok(runs >= 2, `ran again after the slow run (${runs})`);
  });

  test('a failing run is logged and the next run still comes', async () => {
    const logger = recordingLogger();
    let runs = 0;
    const task = new PeriodicTask('flaky', 20, async () => {
      runs++;
      if (runs === 1) throw new Error('boom');
    }, logger);
    task.start();
    await sleep(60);
    await task.stop();
    assert.ok(runs >= 2, `ran again after the failure (${runs})`);
    assert.deepEqual(logger.warnings[0], { task: 'flaky', error: 'boom' });
  });

  test('stop waits for the run in flight', async () => {
    let finished = false;
    const task = new PeriodicTask('long', 1000, async () => {
      await sleep(40);
      finished = true;
    }, silentLogger());
    task.start();
    await sleep(5);
    await task.stop();
    assert.equal(finished, true);
  });
});
