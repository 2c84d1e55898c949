// End to end: `zun exec` (non-interactive), `logs`, `top`, `stats`, `cp` both ways and `commit` with the
// real python3-zunclient, checked against the Docker engine.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseShow } from '@zun-ts/testing';
import { Cleanup, createdUuid, debugBodies, docker, LONG_RUNNING, mustInspect, ok, testName, zun, ZunPoller } from './fixtures/stack-cli';

void describe('zun exec, logs, top, stats, cp, commit', { concurrency: true }, () => {
  const cleanup = new Cleanup();
  let poller: ZunPoller;
  const work = mkdtempSync(join(tmpdir(), 'zun-e2e-cp-'));

  before(async () => {
    poller = await ZunPoller.login();
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await cleanup.run(poller);
  });

  void describe('on a running container', { concurrency: 1 }, () => {
    const name = testName('exec');
    let uuid = '';

    before(async () => {
      uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', name, '--memory', '64', 'busybox', ...LONG_RUNNING), 'zun run')));
      await poller.settled(uuid, 'Running');
    });

    test('zun exec prints the command\'s output; what it does happens in the engine container', async () => {
      assert.equal(ok(await zun('demo', 'exec', name, 'echo', 'hello', 'from exec'), 'zun exec'), 'hello from exec\n\n');
      ok(await zun('demo', 'exec', name, 'sh', '-c', 'echo made-by-exec > /tmp/made'), 'zun exec');
      assert.equal(ok(await docker('exec', `zun-${uuid}`, 'cat', '/tmp/made'), 'docker exec'), 'made-by-exec\n');
    });

    test('zun exec: the API answers the exit code of the command (the client prints only the output)', async () => {
      const r = await zun('demo', '--debug', 'exec', name, 'sh', '-c', 'echo to-out; echo to-err >&2; exit 3');
      assert.match(r.stdout, /to-out/);
      const [body] = debugBodies(r.stderr, '"exit_code"');
      assert.ok(body, `no execute response in the debug output:\n${r.stderr.slice(-2000)}`);
      const res = body as { output: string; exit_code: number; exec_id: unknown; proxy_url: unknown };
      assert.equal(res.exit_code, 3);
      assert.deepEqual(res.output.split(/\r?\n/).filter(Boolean).sort(), ['to-err', 'to-out']);
      assert.deepEqual([res.exec_id, res.proxy_url], [null, null]);
    });

    test('zun top: the API lists the engine\'s processes (the 4.5.0 client then fails on its own py3 print bug)', async () => {
      const r = await zun('demo', '--debug', 'top', name);
      const [body] = debugBodies(r.stderr, '"Titles"');
      assert.ok(body, `no top response in the debug output:\n${r.stderr.slice(-2000)}`);
      const top = body as { Titles: string[]; Processes: string[][] };
      const cmd = top.Titles.indexOf('CMD');
      assert.ok(cmd >= 0 && top.Titles.includes('PID'), `Titles: ${top.Titles.join(', ')}`);
      assert.ok(top.Processes.some((p) => p[cmd] === 'sleep 3600'), JSON.stringify(top.Processes));
      // zunclient 4.5.0 does `print("%-20s") % title`, which raises on Python 3 whatever the server answers
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /unsupported operand type\(s\) for %: 'NoneType' and 'str'/);
    });

    test('zun stats prints the engine\'s one-shot figures for the container', async () => {
      const stats = parseShow(ok(await zun('demo', 'stats', name), 'zun stats'));
      assert.equal(stats['CONTAINER'], name);
      assert.equal(Number(stats['MEM LIMIT(MiB)']), 64);
      assert.ok(Number(stats['MEM USAGE(MiB)']) > 0, `MEM USAGE(MiB): ${stats['MEM USAGE(MiB)']}`);
      assert.ok(Number.isFinite(Number(stats['CPU %'])), `CPU %: ${stats['CPU %']}`);
      assert.match(stats['BLOCK I/O(B)'] ?? '', /^\d+\/\d+$/);
      assert.match(stats['NET I/O(B)'] ?? '', /^\d+\/\d+$/);
    });

    test('zun cp: a host file into the container, then back out, byte for byte', async () => {
      const content = `payload ${randomUUID()}\nsecond line\n`;
      const src = join(work, 'upload.txt');
      writeFileSync(src, content);
      ok(await zun('demo', 'cp', src, `${name}:/tmp/`), 'zun cp to the container');
      assert.equal(ok(await docker('exec', `zun-${uuid}`, 'cat', '/tmp/upload.txt'), 'docker exec'), content);
      const back = mkdtempSync(join(work, 'back-'));
      ok(await zun('demo', 'cp', `${name}:/tmp/upload.txt`, back), 'zun cp from the container');
      assert.equal(readFileSync(join(back, 'upload.txt'), 'utf8'), content);
      // and a file the container made itself
      ok(await zun('demo', 'cp', `${name}:/tmp/made`, back), 'zun cp from the container');
      assert.equal(readFileSync(join(back, 'made'), 'utf8'), 'made-by-exec\n');
    });

    test('zun commit: an engine image made from this container, which keeps running', async () => {
      const ref = cleanup.image(`e2e/${name}:v1`);
      const out = ok(await zun('demo', 'commit', name, ref), 'zun commit');
      // the stack runs Glance: the image is the Glance image the commit uploads to (cli-glance.test.ts follows it)
      const m = /^Request to commit container (\S+) has been accepted\. The image is ([0-9a-f-]{36})\.$/m.exec(out);
      assert.ok(m, out);
      assert.equal(m[1], name);
      await poller.settled(uuid, 'Running');
      const d = await mustInspect(uuid);
      const [image] = JSON.parse(ok(await docker('image', 'inspect', ref), 'docker image inspect')) as { Id: string; Container: string }[];
      assert.equal(image?.Container, d.Id);
      // what the container wrote is in the image
      assert.equal(ok(await docker('run', '--rm', ref, 'cat', '/tmp/made'), 'docker run'), 'made-by-exec\n');
      assert.deepEqual([d.State.Running, d.State.Paused], [true, false]);
      const actions = ok(await zun('demo', 'action-list', name), 'zun action-list');
      assert.match(actions, /\| commit +\| None +\|/);
    });
  });

  void describe('logs of a container that has finished', { concurrency: 1 }, () => {
    const name = testName('logs');

    before(async () => {
      const uuid = cleanup.container(
        createdUuid(ok(await zun('demo', 'run', '--name', name, 'busybox', 'sh', '-c', 'echo out-1; sleep 0.2; echo err-1 >&2; sleep 0.2; echo out-2'), 'zun run')),
      );
      await poller.settled(uuid, 'Stopped');
    });

    test('zun logs prints stdout and stderr as the engine kept them', async () => {
      const out = ok(await zun('demo', 'logs', name), 'zun logs');
      assert.deepEqual(out.split('\n').filter(Boolean), ['out-1', 'err-1', 'out-2']);
    });

    test('zun logs --stdout / --stderr / --tail / --timestamps', async () => {
      assert.deepEqual(ok(await zun('demo', 'logs', '--stdout', name), 'zun logs --stdout').split('\n').filter(Boolean), ['out-1', 'out-2']);
      assert.deepEqual(ok(await zun('demo', 'logs', '--stderr', name), 'zun logs --stderr').split('\n').filter(Boolean), ['err-1']);
      assert.deepEqual(ok(await zun('demo', 'logs', '--tail', '1', name), 'zun logs --tail').split('\n').filter(Boolean), ['out-2']);
      const stamped = ok(await zun('demo', 'logs', '--timestamps', '--stdout', name), 'zun logs --timestamps').split('\n').filter(Boolean);
      assert.equal(stamped.length, 2);
      for (const [i, line] of stamped.entries()) assert.match(line, new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d+Z out-${i + 1}$`));
    });
  });
});
