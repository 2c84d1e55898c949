import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Conflict, ContainerNotFound, InvalidValue } from '@zun-ts/common';
import { type ContainerCreateSpec, type DriverEvent, ImageNotFound } from '../src/driver-contract';
import { dockerTestEnv, type DockerTestEnv, makeTar, readTar, TEST_LABEL, waitFor } from './fixtures/docker-env';

// PID 1 ignores SIGTERM unless it installs a handler; this one stops at once.
const LOOP = ['sh', '-c', "trap 'exit 0' TERM; echo hello-out; echo hello-err >&2; while :; do sleep 0.1; done"];

let env: DockerTestEnv;

function spec(over: Partial<ContainerCreateSpec> = {}): ContainerCreateSpec {
  return {
    uuid: env.newUuid(),
    image: env.busybox,
    command: LOOP,
    labels: { [TEST_LABEL]: env.runId },
    ...over,
  };
}

before(async () => {
  env = await dockerTestEnv();
});

after(async () => {
  await env?.cleanup();
});

describe('DockerContainerDriver on a real engine', () => {
  test('create maps cpu, memory, env, labels, workdir, hostname, tty/stdin, healthcheck, restart policy', async () => {
    const s = spec({
      environment: { ZT_A: '1', ZT_B: 'two words' },
      labels: { [TEST_LABEL]: env.runId, app: 'web' },
      workdir: '/tmp',
      hostname: 'zt-host',
      cpu: 0.5,
      memoryMiB: 64,
      interactive: true,
      tty: true,
      restart_policy: { Name: 'on-failure', MaximumRetryCount: '2' },
      healthcheck: { test: 'true', interval: 1, retries: 2, timeout: 1 },
      exposed_ports: { '8080': {} },
    });
    const state = await env.driver.create(env.ctx, s);
    assert.equal(state.status, 'Created');
    assert.equal(state.name, `zun-${s.uuid}`);
    assert.equal(state.hostname, 'zt-host');
    assert.deepEqual(state.ports, [8080]);
    assert.equal(state.runtime, 'runc');
    assert.deepEqual(state.command, LOOP);

    const raw = await env.docker.getContainer(`zun-${s.uuid}`).inspect();
    assert.equal(raw.Id, state.container_id);
    assert.equal(raw.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(raw.HostConfig.CpuShares, 512);
    assert.equal(raw.HostConfig.NanoCpus ?? 0, 0, 'Zun sets shares, not a hard cpu cap');
    assert.deepEqual(raw.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    assert.ok(raw.Config.Env.includes('ZT_A=1') && raw.Config.Env.includes('ZT_B=two words'));
    assert.equal(raw.Config.Labels.app, 'web');
    assert.equal(raw.Config.Labels['zun.container.uuid'], s.uuid);
    assert.equal(raw.Config.WorkingDir, '/tmp');
    assert.equal(raw.Config.Hostname, 'zt-host');
    assert.equal(raw.Config.Tty, true);
    assert.equal(raw.Config.OpenStdin, true);
    assert.deepEqual(raw.Config.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 1e9, Timeout: 1e9, Retries: 2 });
  });

  test('a second create of the same uuid returns the existing container', async () => {
    const s = spec();
    const first = await env.driver.create(env.ctx, s);
    const second = await env.driver.create(env.ctx, { ...s, hostname: 'ignored' });
    assert.equal(second.container_id, first.container_id);
    const same = await env.docker.listContainers({ all: true, filters: { name: [`zun-${s.uuid}`] } });
    assert.equal(same.length, 1);
    const listed = await env.driver.list(env.ctx);
    assert.deepEqual(
      listed.filter((c) => c.uuid === s.uuid).map((c) => [c.container_id, c.status]),
      [[first.container_id, 'Created']],
    );
  });

  test('create from an image that is not on the host → ImageNotFound', async () => {
    await assert.rejects(env.driver.create(env.ctx, spec({ image: `${env.registry}/zt-absent-${env.runId}:x` })), ImageNotFound);
  });

  test('start, pause, unpause, stop, kill and reboot move the state as Zun expects', async () => {
    const s = spec({ cpu: 1, memoryMiB: 32 });
    await env.driver.create(env.ctx, s);
    await env.driver.start(env.ctx, s.uuid);
    await env.driver.start(env.ctx, s.uuid); // already running: no error
    let st = await env.driver.inspect(env.ctx, s.uuid);
    assert.deepEqual([st.status, st.running, st.started], ['Running', true, true]);
    const ipv4 = Object.values(st.addresses).flat().find((a) => a.version === 4);
    assert.match(ipv4?.addr ?? '', /^\d+\.\d+\.\d+\.\d+$/, 'a running container has an address');
    assert.match(st.status_detail ?? 'Up', /^Up/);
    assert.ok(st.started_at instanceof Date);

    await env.driver.pause(env.ctx, s.uuid);
    assert.equal((await env.driver.inspect(env.ctx, s.uuid)).status, 'Paused');
    await assert.rejects(env.driver.pause(env.ctx, s.uuid), Conflict);
    await env.driver.unpause(env.ctx, s.uuid);
    assert.equal((await env.driver.inspect(env.ctx, s.uuid)).status, 'Running');
    await assert.rejects(env.driver.unpause(env.ctx, s.uuid), Conflict);

    const t0 = Date.now();
    await env.driver.stop(env.ctx, s.uuid, 5);
    assert.ok(Date.now() - t0 < 4000, 'the TERM trap ends the container before the timeout');
    st = await env.driver.inspect(env.ctx, s.uuid);
    assert.deepEqual([st.status, st.exit_code], ['Stopped', 0]);
    await env.driver.stop(env.ctx, s.uuid, 1); // already stopped: no error

    await assert.rejects(env.driver.kill(env.ctx, s.uuid, 'SIGKILL'), Conflict, 'kill of a stopped container');
    await env.driver.start(env.ctx, s.uuid);
    await env.driver.kill(env.ctx, s.uuid, 'kill');
    st = await env.driver.inspect(env.ctx, s.uuid);
    assert.deepEqual([st.status, st.exit_code], ['Stopped', 137]);

    await env.driver.reboot(env.ctx, s.uuid, 2);
    st = await env.driver.inspect(env.ctx, s.uuid);
    assert.equal(st.status, 'Running');
    await env.driver.kill(env.ctx, s.uuid, 'TERM');
    await waitFor(async () => (await env.driver.inspect(env.ctx, s.uuid)).status === 'Stopped', 5000, 'TERM to stop the container');
  });

  test('inspect keeps the stored status of a never-started container (sync rule)', async () => {
    const s = spec();
    await env.driver.create(env.ctx, s);
    assert.equal((await env.driver.inspect(env.ctx, s.uuid, { currentStatus: 'Creating' })).status, 'Created');
    assert.equal((await env.driver.inspect(env.ctx, s.uuid, { currentStatus: 'Error' })).status, 'Error');
  });

  test('execute returns output and exit code; memory limit is in the cgroup; run=false gives an exec id', async () => {
    const s = spec({ memoryMiB: 64, cpu: 0.25 });
    await env.driver.create(env.ctx, s);
    await env.driver.start(env.ctx, s.uuid);
    const r = await env.driver.execute(env.ctx, s.uuid, { command: '"sh" "-c" "echo out; echo err >&2; exit 3"' });
    assert.equal(r.exit_code, 3);
    assert.match(r.output ?? '', /out\n/);
    assert.match(r.output ?? '', /err\n/);
    assert.equal(r.exec_id, null);

    const cg = await env.driver.execute(env.ctx, s.uuid, {
      command: ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null || cat /sys/fs/cgroup/memory.max'],
    });
    assert.equal(cg.exit_code, 0);
    assert.match(cg.output ?? '', /67108864/);

    const pending = await env.driver.execute(env.ctx, s.uuid, { command: ['sh'], run: false, interactive: true });
    assert.match(pending.exec_id ?? '', /^[0-9a-f]{64}$/);
    assert.equal(pending.output, null);

    await assert.rejects(env.driver.execute(env.ctx, s.uuid, { command: ['sleep', '5'], timeoutMs: 300 }), /Timeout on executing command/);
  });

  test('logs return both streams without framing; stdout/stderr/tail filters apply', async () => {
    const s = spec();
    await env.driver.create(env.ctx, s);
    await env.driver.start(env.ctx, s.uuid);
    const all = await waitFor(async () => {
      const l = await env.driver.logs(env.ctx, s.uuid);
      return l.includes('hello-out') && l.includes('hello-err') ? l : '';
    }, 5000, 'log lines');
    assert.equal(all, all.replace(/[\x00-\x02]\x00\x00\x00/g, ''), 'no 8-byte frame headers');
    assert.equal((await env.driver.logs(env.ctx, s.uuid, { stderr: false })).trim(), 'hello-out');
    assert.equal((await env.driver.logs(env.ctx, s.uuid, { stdout: false })).trim(), 'hello-err');
    assert.equal((await env.driver.logs(env.ctx, s.uuid, { tail: 1 })).split('\n').filter(Boolean).length, 1);
    assert.match(await env.driver.logs(env.ctx, s.uuid, { timestamps: true, stderr: false }), /^\d{4}-\d\d-\d\dT\S+ hello-out/);
  });

  test('putArchive then getArchive round-trips a file; a missing path is InvalidValue', async () => {
    const s = spec();
    await env.driver.create(env.ctx, s);
    await env.driver.start(env.ctx, s.uuid);
    await env.driver.putArchive(env.ctx, s.uuid, '/tmp', makeTar({ 'zt-file.txt': 'round trip ✓\n' }));
    const check = await env.driver.execute(env.ctx, s.uuid, { command: ['cat', '/tmp/zt-file.txt'] });
    assert.equal(check.output, 'round trip ✓\n');
    const got = await env.driver.getArchive(env.ctx, s.uuid, '/tmp/zt-file.txt');
    assert.equal(readTar(got.data).get('zt-file.txt'), 'round trip ✓\n');
    assert.equal(got.stat.name, 'zt-file.txt');
    assert.equal(got.stat.size, Buffer.byteLength('round trip ✓\n'));
    await assert.rejects(env.driver.getArchive(env.ctx, s.uuid, '/no/such/path'), InvalidValue);
    await assert.rejects(env.driver.putArchive(env.ctx, s.uuid, '/no/such/dir', makeTar({ a: 'b' })), InvalidValue);
  });

  test('commit produces an image holding the container changes', async () => {
    const s = spec();
    await env.driver.create(env.ctx, s);
    await env.driver.start(env.ctx, s.uuid);
    await env.driver.execute(env.ctx, s.uuid, { command: ['sh', '-c', 'echo committed > /zt-committed'] });
    const repository = `zt-commit-${env.runId}`;
    env.images.add(`${repository}:v1`);
    const res = await env.driver.commit(env.ctx, s.uuid, { repository, tag: 'v1' });
    assert.equal(res.ref, `${repository}:v1`);
    const img = await env.driver.imageInspect(env.ctx, res.ref);
    assert.equal(img.id, res.image_id);
    assert.ok(img.repo_tags.includes(`${repository}:v1`));
    const fromCommit = spec({ image: res.ref, command: ['cat', '/zt-committed'] });
    await env.driver.create(env.ctx, fromCommit);
    await env.driver.start(env.ctx, fromCommit.uuid);
    const out = await waitFor(async () => (await env.driver.logs(env.ctx, fromCommit.uuid)).trim(), 5000, 'output of the committed image');
    assert.equal(out, 'committed');
    assert.equal((await env.driver.inspect(env.ctx, s.uuid)).status, 'Running', 'commit leaves the container running');
  });

  test('top, stats and update on a running container', async () => {
    const s = spec({ memoryMiB: 64, cpu: 0.5 });
    await env.driver.create(env.ctx, s);
    await env.driver.start(env.ctx, s.uuid);
    const top = await env.driver.top(env.ctx, s.uuid, null);
    assert.ok(top.Titles.includes('PID'));
    assert.ok(top.Processes.some((p) => p.join(' ').includes('sleep') || p.join(' ').includes('sh')));
    const stats = await env.driver.stats(env.ctx, s.uuid, 'zt-display-name');
    assert.equal(stats.CONTAINER, 'zt-display-name');
    assert.equal(stats['MEM LIMIT(MiB)'], 64);
    assert.match(stats['NET I/O(B)'], /^\d+\/\d+$/);
    await env.driver.update(env.ctx, s.uuid, { memoryMiB: 128, cpu: 1 });
    const raw = await env.docker.getContainer(`zun-${s.uuid}`).inspect();
    assert.equal(raw.HostConfig.Memory, 128 * 1024 * 1024);
    assert.equal(raw.HostConfig.CpuShares, 1024);
  });

  test('events report start, die (within a second, with the exit code), health, destroy and oom', async () => {
    const events: DriverEvent[] = [];
    const sub = env.driver.events((e) => events.push(e));
    try {
      const s = spec({ healthcheck: { test: 'true', interval: 1, retries: 1, timeout: 1 } });
      await env.driver.create(env.ctx, s);
      await env.driver.start(env.ctx, s.uuid);
      await waitFor(async () => events.some((e) => e.uuid === s.uuid && e.type === 'start'), 3000, 'start event');
      await waitFor(async () => events.find((e) => e.uuid === s.uuid && e.type === 'health_status' && e.health_status === 'healthy'), 5000, 'healthy event');
      assert.equal((await env.driver.inspect(env.ctx, s.uuid)).health?.status, 'healthy');

      const t0 = Date.now();
      await env.driver.kill(env.ctx, s.uuid, 'SIGKILL');
      const die = await waitFor(async () => events.find((e) => e.uuid === s.uuid && e.type === 'die'), 1000, 'die event within a second');
      assert.ok(Date.now() - t0 < 1000);
      assert.equal(die.exit_code, 137);
      assert.equal(die.container_id, (await env.driver.inspect(env.ctx, s.uuid)).container_id);

      await env.driver.delete(env.ctx, s.uuid);
      await waitFor(async () => events.some((e) => e.uuid === s.uuid && e.type === 'destroy'), 3000, 'destroy event');

      // A shell variable far over the 16 MiB limit: the kernel kills the process.
      const hog = spec({ memoryMiB: 16, command: ['sh', '-c', 'x=$(head -c 134217728 /dev/zero | tr "\\0" x); echo survived'] });
      await env.driver.create(env.ctx, hog);
      await env.driver.start(env.ctx, hog.uuid);
      await waitFor(async () => events.find((e) => e.uuid === hog.uuid && e.type === 'oom'), 10_000, 'oom event');
      const dead = await waitFor(async () => {
        const st = await env.driver.inspect(env.ctx, hog.uuid);
        return st.status === 'Stopped' ? st : undefined;
      }, 10_000, 'the OOM-killed container to stop');
      assert.deepEqual([dead.oom_killed, dead.exit_code], [true, 137]);
      assert.ok(events.every((e) => e.uuid && e.container_id), 'only zun-* containers, with ids');
    } finally {
      await sub.close();
    }
  });

  test('delete: a running container needs force; a missing one is fine; auto_remove removes on exit', async () => {
    const s = spec();
    await env.driver.create(env.ctx, s);
    await env.driver.start(env.ctx, s.uuid);
    await assert.rejects(env.driver.delete(env.ctx, s.uuid), Conflict);
    await env.driver.delete(env.ctx, s.uuid, { force: true });
    await assert.rejects(env.driver.inspect(env.ctx, s.uuid), ContainerNotFound);
    await env.driver.delete(env.ctx, s.uuid);
    assert.equal((await env.driver.list(env.ctx)).some((c) => c.uuid === s.uuid), false);

    const auto = spec({ command: ['true'], auto_remove: true });
    await env.driver.create(env.ctx, auto);
    await env.driver.start(env.ctx, auto.uuid);
    await waitFor(
      async () => env.driver.inspect(env.ctx, auto.uuid).then(() => false, (e: unknown) => e instanceof ContainerNotFound),
      5000,
      'auto_remove container to disappear',
    );
  });

  test('hostInfo describes the engine host', async () => {
    const info = await env.driver.hostInfo(env.ctx);
    const raw = (await env.docker.info()) as { NCPU: number; DockerRootDir: string; MemTotal: number };
    assert.equal(info.cpus, raw.NCPU);
    assert.equal(info.docker_root_dir, raw.DockerRootDir);
    assert.equal(info.mem_total, Math.floor(raw.MemTotal / 1048576));
    assert.ok(info.disk_total > 0);
    assert.ok(info.runtimes.includes('runc'));
    assert.equal(info.os_type, 'linux');
    assert.ok(info.kernel_version.length > 0 && info.architecture.length > 0);
    assert.equal(typeof info.disk_quota_supported, 'boolean');
  });
});
