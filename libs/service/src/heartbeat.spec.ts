import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@zun-ts/common';
import { sleep } from './backoff';
import { Heartbeat } from './heartbeat';

describe('Heartbeat', () => {
  test('beats once per interval, the first after one interval', async () => {
    const at: number[] = [];
    const t0 = Date.now();
    const hb = new Heartbeat(async () => void at.push(Date.now() - t0), 40, silentLogger());
    hb.start();
    await sleep(20);
    assert.equal(at.length, 0, 'no beat before the first interval');
    await sleep(190);
    await hb.stop();
    assert.ok(at.length >= 4 && at.length <= 6, `beats: ${at.join(',')}`);
    for (let i = 1; i < at.length; i++) {
      const gap = (at[i] ?? 0) - (at[i - 1] ?? 0);
      assert.ok(gap >= 30 && gap <= 80, `gap ${gap}`);
    }
  });

  test('a failing beat is counted and the next tick runs anyway', async () => {
    let n = 0;
    const hb = new Heartbeat(
      async () => {
        n++;
        if (n <= 2) throw new Error('registry unreachable');
      },
      15,
      silentLogger(),
    );
    hb.start();
    await sleep(150);
    await hb.stop();
    assert.equal(hb.failed, 2);
    assert.ok(hb.succeeded >= 2, `succeeded ${hb.succeeded}`);
  });

  test('a slow beat does not overlap the next one, and the rate stays fixed', async () => {
    let active = 0;
    let maxActive = 0;
    let beats = 0;
    const hb = new Heartbeat(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(30);
        active--;
        beats++;
      },
      40,
      silentLogger(),
    );
    hb.start();
    await sleep(260);
    await hb.stop();
    assert.equal(maxActive, 1);
    // 40 ms rate (not 40 + 30): about six beats in 260 ms
    assert.ok(beats >= 5, `beats ${beats}`);
  });

  test('stop waits for the beat in flight and no beat follows', async () => {
    let finished = false;
    let beats = 0;
    const hb = new Heartbeat(
      async () => {
        beats++;
        await sleep(50);
        finished = true;
      },
      10,
      silentLogger(),
    );
    hb.start();
    await sleep(25); // first beat is now in flight
    await hb.stop();
    assert.equal(finished, true);
    const after = beats;
    await sleep(60);
    assert.equal(beats, after);
  });

  test('stop does not wait beyond its grace for a beat that hangs', async () => {
    let beats = 0;
    const hb = new Heartbeat(
      async () => {
        beats++;
        await new Promise(() => {}); // registry never answers
      },
      10,
      silentLogger(),
      40,
    );
    hb.start();
    await sleep(25);
    assert.equal(beats, 1);
    const t0 = Date.now();
    await hb.stop();
    const waited = Date.now() - t0;
    assert.ok(waited >= 30 && waited < 500, `waited ${waited}`);
    assert.equal(beats, 1, 'a hung beat is never overlapped');
  });
});
