import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidValue } from '@zun-ts/common';
import { toDockerCreateOptions } from './docker-create.mapping';

const uuid = '0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c';

describe('toDockerCreateOptions', () => {
  test('names the container zun-<uuid> and labels it with the uuid, keeping user labels', () => {
    const o = toDockerCreateOptions({ uuid, image: 'busybox:latest', labels: { app: 'web' } });
    assert.equal(o.name, `zun-${uuid}`);
    assert.equal(o.Image, 'busybox:latest');
    assert.deepEqual(o.Labels, { app: 'web', 'zun.container.uuid': uuid });
  });

  test('memory MiB → bytes; cpu → CpuShares = int(1024 × cpu), no hard cap by default', () => {
    const o = toDockerCreateOptions({ uuid, image: 'x', memoryMiB: 512, cpu: 0.5 });
    assert.equal(o.HostConfig?.Memory, 512 * 1024 * 1024);
    assert.equal(o.HostConfig?.CpuShares, 512);
    assert.equal(o.HostConfig?.NanoCpus, undefined);
    assert.equal(toDockerCreateOptions({ uuid, image: 'x', cpu: 1.7 }).HostConfig?.CpuShares, 1740);
  });

  test('hardCpuLimit adds NanoCpus = cpu × 1e9', () => {
    const o = toDockerCreateOptions({ uuid, image: 'x', cpu: 1.5 }, { hardCpuLimit: true });
    assert.equal(o.HostConfig?.NanoCpus, 1_500_000_000);
    assert.equal(o.HostConfig?.CpuShares, 1536);
  });

  test('no cpu or memory → no limits', () => {
    const o = toDockerCreateOptions({ uuid, image: 'x' });
    assert.equal(o.HostConfig?.Memory, undefined);
    assert.equal(o.HostConfig?.CpuShares, undefined);
  });

  test('bad memory or cpu is InvalidValue', () => {
    assert.throws(() => toDockerCreateOptions({ uuid, image: 'x', memoryMiB: 0 }), InvalidValue);
    assert.throws(() => toDockerCreateOptions({ uuid, image: 'x', cpu: -1 }), InvalidValue);
  });

  test('command, entrypoint, env, workdir, hostname; empty command means the image default', () => {
    const o = toDockerCreateOptions({
      uuid,
      image: 'x',
      command: ['sleep', '60'],
      entrypoint: ['/bin/sh', '-c'],
      environment: { A: '1', B: 'two words' },
      workdir: '/srv',
      hostname: 'web-1',
    });
    assert.deepEqual(o.Cmd, ['sleep', '60']);
    assert.deepEqual(o.Entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(o.Env, ['A=1', 'B=two words']);
    assert.equal(o.WorkingDir, '/srv');
    assert.equal(o.Hostname, 'web-1');
    const d = toDockerCreateOptions({ uuid, image: 'x', command: [], entrypoint: null });
    assert.equal(d.Cmd, undefined);
    assert.equal(d.Entrypoint, undefined);
    assert.equal(d.Hostname, undefined);
  });

  test('interactive → OpenStdin, tty → Tty, independently', () => {
    const a = toDockerCreateOptions({ uuid, image: 'x', interactive: true });
    assert.deepEqual([a.OpenStdin, a.Tty], [true, false]);
    const b = toDockerCreateOptions({ uuid, image: 'x', interactive: true, tty: true });
    assert.deepEqual([b.OpenStdin, b.Tty], [true, true]);
  });

  test('healthcheck: a string runs through CMD-SHELL, seconds become nanoseconds', () => {
    const o = toDockerCreateOptions({ uuid, image: 'x', healthcheck: { test: 'test -f /tmp/ok', interval: 2, retries: 3, timeout: 1 } });
    assert.deepEqual(o.Healthcheck, { Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: 2e9, Timeout: 1e9, Retries: 3 });
    const arr = toDockerCreateOptions({ uuid, image: 'x', healthcheck: { test: ['true'] } });
    assert.deepEqual(arr.Healthcheck?.Test, ['CMD', 'true']);
  });

  test('restart policy count may be a string; auto_remove, privileged, runtime default', () => {
    const o = toDockerCreateOptions(
      { uuid, image: 'x', restart_policy: { Name: 'on-failure', MaximumRetryCount: '3' }, auto_remove: true, privileged: true },
      { defaultRuntime: 'runc' },
    );
    assert.deepEqual(o.HostConfig?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.equal(o.HostConfig?.AutoRemove, true);
    assert.equal(o.HostConfig?.Privileged, true);
    assert.equal(o.HostConfig?.Runtime, 'runc');
    assert.equal(toDockerCreateOptions({ uuid, image: 'x', runtime: 'kata' }).HostConfig?.Runtime, 'kata');
    assert.throws(() => toDockerCreateOptions({ uuid, image: 'x', restart_policy: { Name: 'sometimes' } }), InvalidValue);
  });

  test('exposed ports are normalised to port/proto', () => {
    const o = toDockerCreateOptions({ uuid, image: 'x', exposed_ports: { '80': {}, '53/udp': {} } });
    assert.deepEqual(o.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.throws(() => toDockerCreateOptions({ uuid, image: 'x', exposed_ports: { '80/sctp': {} } }), /invalid protocol/);
    assert.throws(() => toDockerCreateOptions({ uuid, image: 'x', exposed_ports: { http: {} } }), /invalid as publish port/);
  });

  test('binds, disk, cpuset, network', () => {
    const o = toDockerCreateOptions({
      uuid,
      image: 'x',
      binds: [{ source: '/h/a', destination: '/c/a' }, { source: '/h/b', destination: '/c/b', read_only: true }],
      disk: 10,
      cpuset: { cpus: '0-1', mems: '0' },
      network_mode: 'zun-net',
    });
    assert.deepEqual(o.HostConfig?.Binds, ['/h/a:/c/a', '/h/b:/c/b:ro']);
    assert.deepEqual(o.HostConfig?.StorageOpt, { size: '10G' });
    assert.equal(o.HostConfig?.CpusetCpus, '0-1');
    assert.equal(o.HostConfig?.CpusetMems, '0');
    assert.equal(o.HostConfig?.NetworkMode, 'zun-net');
  });

  test('disk: StorageOpt size in GiB where the engine enforces it; refused (never unlimited) where it does not', () => {
    assert.deepEqual(toDockerCreateOptions({ uuid, image: 'x', disk: 1 }, { diskQuota: true }).HostConfig?.StorageOpt, { size: '1G' });
    assert.throws(() => toDockerCreateOptions({ uuid, image: 'x', disk: 1 }, { diskQuota: false }), /does not support disk quota/);
    assert.throws(() => toDockerCreateOptions({ uuid, image: 'x', disk: 1.5 }, { diskQuota: true }), /whole number of GiB/);
    // No disk asked: nothing to enforce, any host will do.
    assert.equal(toDockerCreateOptions({ uuid, image: 'x', disk: 0 }, { diskQuota: false }).HostConfig?.StorageOpt, undefined);
    assert.equal(toDockerCreateOptions({ uuid, image: 'x' }, { diskQuota: false }).HostConfig?.StorageOpt, undefined);
  });

  test('the first network joins with its fixed address; exposed ports are published at engine-picked host ports', () => {
    const o = toDockerCreateOptions({
      uuid: 'u', image: 'busybox', network_mode: 'zun-n1', endpoints_config: { 'zun-n1': { IPAMConfig: { IPv4Address: '10.210.1.5' } } },
      exposed_ports: { '80': {}, '53/udp': {} }, publish_ports: true,
    });
    assert.equal(o.HostConfig?.NetworkMode, 'zun-n1');
    assert.deepEqual(o.NetworkingConfig, { EndpointsConfig: { 'zun-n1': { IPAMConfig: { IPv4Address: '10.210.1.5' } } } });
    assert.deepEqual(o.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '' }], '53/udp': [{ HostIp: '', HostPort: '' }] });
    const quiet = toDockerCreateOptions({ uuid: 'u', image: 'busybox', network_mode: 'none', exposed_ports: { '80': {} } });
    assert.equal(quiet.HostConfig?.PortBindings, undefined, 'exposed, not published');
    assert.equal(quiet.NetworkingConfig, undefined);
  });

  test('a capsule member joins its sandbox\'s network, IPC and PID namespaces', () => {
    const sandbox = 'container:zun-11111111-2222-4333-8444-555555555555';
    const o = toDockerCreateOptions({ uuid: 'm', image: 'busybox', network_mode: sandbox, ipc_mode: sandbox, pid_mode: sandbox });
    assert.equal(o.HostConfig?.NetworkMode, sandbox);
    assert.equal(o.HostConfig?.IpcMode, sandbox);
    assert.equal(o.HostConfig?.PidMode, sandbox);
    const plain = toDockerCreateOptions({ uuid: 'c', image: 'busybox' });
    assert.equal(plain.HostConfig?.IpcMode, undefined);
    assert.equal(plain.HostConfig?.PidMode, undefined);
  });
});
