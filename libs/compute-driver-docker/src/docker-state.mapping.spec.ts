import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Docker from 'dockerode';
import { type DockerStateBlock, publishedOf, toContainerState, zunStatusOf, zunStatusOfListState } from './docker-state.mapping';

const ZERO = '0001-01-01T00:00:00Z';
const now = new Date('2026-01-10T12:00:00Z');

function state(over: Partial<DockerStateBlock>): DockerStateBlock {
  return {
    Status: 'created',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
    StartedAt: ZERO,
    FinishedAt: ZERO,
    ...over,
  };
}

describe('zunStatusOf (Docker state → Zun status)', () => {
  test('never started → Created', () => {
    assert.deepEqual(zunStatusOf(state({}), now), { status: 'Created', status_reason: null, status_detail: 'Created' });
  });

  test('running → Running "Up <ago>"', () => {
    const s = zunStatusOf(state({ Status: 'running', Running: true, Pid: 9, StartedAt: '2026-01-10T11:57:00.123456789Z' }), now);
    assert.deepEqual(s, { status: 'Running', status_reason: null, status_detail: 'Up 2 mins' });
  });

  test('paused wins over running', () => {
    const s = zunStatusOf(state({ Status: 'paused', Running: true, Paused: true, StartedAt: '2026-01-10T09:00:00Z' }), now);
    assert.deepEqual([s.status, s.status_detail], ['Paused', 'Up 3 hours (paused)']);
  });

  test('restarting and dead', () => {
    assert.equal(zunStatusOf(state({ Status: 'restarting', Restarting: true, Running: true }), now).status, 'Restarting');
    assert.equal(zunStatusOf(state({ Status: 'dead', Dead: true }), now).status, 'Dead');
  });

  test('exited → Stopped "Exited(<code>) <ago> ago " (trailing space, as Zun)', () => {
    const s = zunStatusOf(state({ Status: 'exited', ExitCode: 3, StartedAt: '2026-01-10T11:00:00Z', FinishedAt: '2026-01-10T11:52:00Z' }), now);
    assert.deepEqual([s.status, s.status_detail], ['Stopped', 'Exited(3) 8 mins ago ']);
  });

  test('an engine error on an exited container → Stopped with "(error)" and the error as reason', () => {
    const s = zunStatusOf(state({ Status: 'exited', ExitCode: 127, Error: 'exec: "nope": not found', FinishedAt: '2026-01-10T11:59:55Z' }), now);
    assert.deepEqual(s, { status: 'Stopped', status_reason: 'exec: "nope": not found', status_detail: 'Exited(127) 5 seconds ago (error)' });
  });

  test('an engine error on a created container keeps the capitalised Docker status', () => {
    assert.equal(zunStatusOf(state({ Status: 'created', ExitCode: 127, Error: 'boom' }), now).status, 'Created');
  });

  test('started but neither running nor finished → Unknown', () => {
    const s = zunStatusOf(state({ Status: 'exited', StartedAt: '2026-01-10T11:00:00Z' }), now);
    assert.deepEqual(s, { status: 'Unknown', status_reason: 'unexpected container state', status_detail: '' });
  });

  test('missing state → Unknown', () => {
    assert.equal(zunStatusOf(undefined, now).status_reason, 'container state is missing');
  });

  test('list states', () => {
    assert.equal(zunStatusOfListState('created'), 'Created');
    assert.equal(zunStatusOfListState('exited'), 'Stopped');
    assert.equal(zunStatusOfListState('removing'), 'Stopped');
    assert.equal(zunStatusOfListState('running'), 'Running');
    assert.equal(zunStatusOfListState('weird'), 'Unknown');
  });
});

describe('toContainerState', () => {
  const uuid = '0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c';
  const info = {
    Id: 'c'.repeat(64),
    Name: `/zun-${uuid}`,
    Image: 'sha256:abc',
    RestartCount: 1,
    State: state({ Status: 'exited', ExitCode: 137, OOMKilled: true, StartedAt: '2026-01-10T11:00:00Z', FinishedAt: '2026-01-10T11:30:00Z', Health: { Status: 'unhealthy', FailingStreak: 4, Log: [] } }),
    Config: {
      Hostname: 'abc123',
      Image: '127.0.0.1:5050/busybox:latest',
      Cmd: ['sleep', '60'],
      Entrypoint: '/bin/sh',
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Labels: { 'zun.container.uuid': uuid },
      Tty: true,
      OpenStdin: true,
    },
    HostConfig: { Runtime: 'runc', AutoRemove: false },
    NetworkSettings: { Networks: { bridge: { IPAddress: '172.31.9.2', MacAddress: '02:42:ac:1f:09:02', GlobalIPv6Address: '' } } },
  } as unknown as Docker.ContainerInspectInfo;

  test('carries ids, effective command, ports, addresses, health and OOM', () => {
    const s = toContainerState(info, { now });
    assert.equal(s.uuid, uuid);
    assert.equal(s.name, `zun-${uuid}`);
    assert.equal(s.status, 'Stopped');
    assert.equal(s.exit_code, 137);
    assert.equal(s.oom_killed, true);
    assert.deepEqual(s.health, { status: 'unhealthy', failing_streak: 4 });
    assert.deepEqual(s.command, ['sleep', '60']);
    assert.deepEqual(s.entrypoint, ['/bin/sh']);
    assert.deepEqual(s.ports, [80, 53]);
    assert.deepEqual(s.addresses, { bridge: [{ addr: '172.31.9.2', version: 4, mac_address: '02:42:ac:1f:09:02' }] });
    assert.equal(s.runtime, 'runc');
    assert.deepEqual([s.tty, s.interactive, s.started, s.restart_count], [true, true, true, 1]);
  });

  test('currentStatus keeps Zun status for a never-started container', () => {
    const fresh = { ...info, State: state({}) } as Docker.ContainerInspectInfo;
    assert.equal(toContainerState(fresh, { currentStatus: 'Creating' }).status, 'Created');
    assert.equal(toContainerState(fresh, { currentStatus: 'Rebuilding' }).status, 'Rebuilding');
    assert.equal(toContainerState(fresh).exit_code, null);
  });
});

describe('publishedOf (NetworkSettings.Ports)', () => {
  test('one binding per port and protocol, the IPv4 one first; unpublished ports left out', () => {
    assert.deepEqual(
      publishedOf({
        '80/tcp': [{ HostIp: '::', HostPort: '32768' }, { HostIp: '0.0.0.0', HostPort: '32768' }],
        '53/udp': [{ HostIp: '0.0.0.0', HostPort: '32770' }],
        '443/tcp': null,
      }),
      [{ port: 53, protocol: 'udp', host_ip: '0.0.0.0', host_port: 32770 }, { port: 80, protocol: 'tcp', host_ip: '0.0.0.0', host_port: 32768 }],
    );
    assert.deepEqual(publishedOf(null), []);
  });
});
