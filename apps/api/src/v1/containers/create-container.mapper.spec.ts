import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidParamInVersion, InvalidValue, PolicyNotAuthorized, type RequestContext } from '@zun-ts/common';
import { type QuotaDeltas } from '@zun-ts/db';
import { ApiVersion } from '../../http/api-version';
import { NetworkNotFound, RegistryNotFound, RequestedHostNotFound, VolumeNotFound } from '@zun-ts/common';
import { type Network, type Registry, type Volume } from '@zun-ts/objects';
import { NotSupported } from './container.errors';
import { buildExposedPorts, type CreateDeps, type CreatePlan, generateContainerName, normaliseRestartPolicy, planCreate } from './create-container.mapper';

const CTX: RequestContext = { requestId: 'req-1', userId: 'u1', projectId: 'p1', roles: ['member'], isAdmin: false };

interface Probe {
  deps: CreateDeps;
  rules: string[];
  quota: QuotaDeltas[];
  /** How often the default network was asked for. */
  defaults: number[];
}

const NET = (over: Partial<Network> = {}): Network => ({
  id: 1, uuid: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'front', project_id: 'p1', user_id: 'u1', cidr: '10.1.0.0/24', gateway: '10.1.0.1',
  subnet_id: 's1', shared: false, nat_egress: true, segmentation_id: 1, is_default: false, driver: 'vxlan', created_at: new Date(0), updated_at: null, ...over,
});
const DEFAULT_NET = NET({ id: 9, uuid: 'dddddddd-0000-4000-8000-000000000009', name: 'default', cidr: '10.200.0.0/24', gateway: '10.200.0.1', is_default: true });

function probe(
  version: string,
  opts: { deny?: string[]; nodes?: string[]; withQuota?: boolean; volumes?: Volume[]; networks?: Network[]; registries?: Registry[]; ctx?: RequestContext } = {},
): Probe {
  const rules: string[] = [];
  const quota: QuotaDeltas[] = [];
  const defaults: number[] = [];
  const deps: CreateDeps = {
    version: ApiVersion.parse(version) as ApiVersion,
    ctx: opts.ctx ?? CTX,
    authorize: (rule) => {
      rules.push(rule);
      if (opts.deny?.includes(rule)) throw new PolicyNotAuthorized(rule);
    },
    computeNodeExists: (h) => Promise.resolve((opts.nodes ?? []).includes(h)),
    findVolume: (ident) => {
      const v = (opts.volumes ?? []).find((x) => x.uuid === ident || x.name === ident);
      return v ? Promise.resolve(v) : Promise.reject(new VolumeNotFound(`no ${ident}`));
    },
    findNetwork: (ident) => {
      const n = (opts.networks ?? [NET()]).find((x) => x.uuid === ident || x.name === ident);
      return n ? Promise.resolve(n) : Promise.reject(new NetworkNotFound(`no ${ident}`));
    },
    defaultNetwork: () => (defaults.push(1), Promise.resolve(DEFAULT_NET)),
    findRegistry: (ident) => {
      const r = (opts.registries ?? []).find((x) => x.uuid === ident || x.name === ident);
      return r ? Promise.resolve(r) : Promise.reject(RegistryNotFound.of(ident));
    },
    ...(opts.withQuota ? { checkQuota: (d: QuotaDeltas) => (quota.push(d), Promise.resolve()) } : {}),
  };
  return { deps, rules, quota, defaults };
}

const plan = (params: Record<string, unknown>, version = '1.40', run?: unknown, p = probe(version)): Promise<CreatePlan> => planCreate(params, run, p.deps);

describe('create: defaults and stored values', () => {
  test('defaults: memory "512", cpu 1.0, docker driver, shared cpu policy, generated name, Creating', async () => {
    const { container: c, build } = await plan({ image: 'busybox' });
    assert.equal(c.status, 'Creating');
    assert.match(c.uuid, /^[0-9a-f-]{36}$/);
    assert.equal(c.memory, '512');
    assert.equal(c.cpu, 1);
    assert.equal(c.disk, undefined, 'left to the column default (0)');
    assert.equal(c.image_driver, 'docker');
    assert.equal(c.cpu_policy, 'shared');
    assert.match(c.name ?? '', /^[a-z]+-([1-9]|1[0-9]|2[0-4])-container$/);
    assert.equal(c.project_id, 'p1');
    assert.equal(c.user_id, 'u1');
    assert.equal(c.interactive, false);
    assert.equal(c.task_state, undefined);
    assert.deepEqual(build, { run: false, hints: {}, availability_zone: null, requested_host: null });
  });

  test('numeric strings are stored typed: memory as a string of digits, cpu and disk as numbers', async () => {
    const { container: c } = await plan({ image: 'busybox', cpu: '0.5', memory: 256, disk: '10' });
    assert.equal(c.cpu, 0.5);
    assert.equal(c.memory, '256');
    assert.equal(c.disk, 10);
  });

  test('run and interactive are parsed strictly (Zun\'s message lists the accepted words)', async () => {
    assert.equal((await plan({ image: 'busybox' }, '1.40', 'true')).build.run, true);
    assert.equal((await plan({ image: 'busybox' }, '1.40', 'No')).build.run, false);
    await assert.rejects(plan({ image: 'busybox' }, '1.40', 'maybe'), (e: Error) => e instanceof InvalidValue && e.message === 'Valid run or interactive values are: 1, t, true, on, y, yes, 0, f, false, off, n, no');
  });

  test('command: a string before 1.20 is split shell-style; an empty command means the image default', async () => {
    assert.deepEqual((await plan({ image: 'busybox', command: '"nginx" "-g" "daemon off;"' }, '1.19')).container.command, ['nginx', '-g', 'daemon off;']);
    assert.deepEqual((await plan({ image: 'busybox', command: ['sh', '-c', 'echo hi'] })).container.command, ['sh', '-c', 'echo hi']);
    assert.equal((await plan({ image: 'busybox', command: [] })).container.command, null);
    assert.equal((await plan({ image: 'busybox', command: null })).container.command, null);
    await assert.rejects(plan({ image: 'busybox', command: '"unterminated' }, '1.1'), InvalidValue);
  });

  test('tty follows interactive from 1.20 to 1.35 only', async () => {
    assert.equal((await plan({ image: 'busybox', interactive: true }, '1.19')).container.tty, undefined);
    assert.equal((await plan({ image: 'busybox', interactive: 'true' }, '1.20')).container.tty, true);
    assert.equal((await plan({ image: 'busybox', interactive: true, tty: false }, '1.35')).container.tty, true);
    assert.equal((await plan({ image: 'busybox', interactive: true }, '1.36')).container.tty, undefined);
    assert.equal((await plan({ image: 'busybox', interactive: true, tty: 'False' }, '1.36')).container.tty, false);
  });

  test('labels, environment and hints become string maps; availability zone goes to the conductor only', async () => {
    const { container: c, build } = await plan({ image: 'busybox', labels: { a: 1, b: true }, environment: { X: 'y' }, hints: { 'label:k': 'v', n: 2 }, availability_zone: 'az1' });
    assert.deepEqual(c.labels, { a: '1', b: 'True' });
    assert.deepEqual(c.environment, { X: 'y' });
    assert.deepEqual(build.hints, { 'label:k': 'v', n: '2' });
    assert.equal(build.availability_zone, 'az1');
  });

  test('healthcheck: cmd is stored as test (1.22+)', async () => {
    const { container: c } = await plan({ image: 'busybox', healthcheck: { cmd: 'true', interval: 5, retries: 2, timeout: 1 } });
    assert.deepEqual(c.healthcheck, { interval: 5, retries: 2, timeout: 1, test: 'true' });
    assert.equal((await plan({ image: 'busybox', healthcheck: {} })).container.healthcheck, undefined);
  });

  test('security groups need Neutron: a non-empty list is 400 NotSupported, before anything else; empty or null is fine', async () => {
    for (const version of ['1.1', '1.19', '1.40']) {
      const p = probe(version, { withQuota: true });
      await assert.rejects(planCreate({ image: 'busybox', security_groups: ['default'], run: 'maybe' }, 'maybe', p.deps), (e: Error) => {
        assert.ok(e instanceof NotSupported);
        assert.equal(e.status, 400);
        assert.equal(e.message, 'Security groups are not supported: they need Neutron, which this deployment does not have. Use exposed_ports (microversion 1.24 or later) to publish ports of a container.');
        return true;
      });
      assert.deepEqual(p.quota, [], 'refused before the quota check');
      assert.deepEqual(p.defaults, []);
    }
    assert.equal((await plan({ image: 'busybox', security_groups: [] })).container.security_groups, undefined);
    assert.equal((await plan({ image: 'busybox', security_groups: null })).container.security_groups, undefined);
  });

  test('quota seam: checked with the requested (not defaulted) resources', async () => {
    const p = probe('1.40', { withQuota: true });
    await planCreate({ image: 'busybox', cpu: '0.5' }, undefined, p.deps);
    assert.deepEqual(p.quota, [{ containers: 1, cpu: 0.5, memory: 0, disk: 0 }]);
  });
});

describe('create: parameters newer than the request (InvalidParamInVersion)', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['auto_remove', { auto_remove: false }, '1.2', '1.3'],
    ['runtime', { runtime: 'runc' }, '1.4', '1.5'],
    ['hostname', { hostname: 'h1' }, '1.8', '1.9'],
    ['mounts', { mounts: [{ source: 'v', destination: '/d' }] }, '1.10', '1.11'],
    ['privileged', { privileged: false }, '1.20', '1.21'],
    ['healthcheck', { healthcheck: { cmd: 'true' } }, '1.21', '1.22'],
    ['exposed_ports', { exposed_ports: { '80': {} } }, '1.23', '1.24'],
    ['registry', { registry: 'myreg' }, '1.30', '1.31'],
  ];
  for (const [param, extra, below, from] of cases) {
    test(`${param}: 400 at ${below}, accepted by the version check from ${from}`, async () => {
      await assert.rejects(
        plan({ image: 'busybox', ...extra }, below, undefined, probe(below)),
        (e: Error) => e instanceof InvalidParamInVersion && e.message === `Invalid param ${param} because current request version is ${below}. ${param} is only supported from version ${from}`,
      );
      // At the version itself the parameter passes the version check (it may still fail for other reasons).
      const err = await plan({ image: 'busybox', ...extra }, from, undefined, probe(from, { nodes: [] })).then(() => null, (e: unknown) => e);
      assert.ok(!(err instanceof InvalidParamInVersion), String(err));
    });
  }

  test('null values are "not given" and need no version', async () => {
    const { container: c } = await plan({ image: 'busybox', auto_remove: null, runtime: null, privileged: null, exposed_ports: null }, '1.1');
    assert.equal(c.auto_remove, undefined);
  });
});

describe('create: admin-only parameters and what this deployment lacks', () => {
  test('runtime, image_pull_policy, privileged and host each check their rule', async () => {
    const p = probe('1.40', { nodes: ['cn1'] });
    await planCreate({ image: 'busybox', runtime: 'runc', image_pull_policy: 'always', privileged: 'false', host: 'cn1' }, undefined, p.deps);
    assert.deepEqual(p.rules, ['container:create:runtime', 'container:create:privileged', 'container:create:image_pull_policy', 'container:create:requested_destination']);
    for (const rule of p.rules) {
      const field = { 'container:create:runtime': { runtime: 'runc' }, 'container:create:privileged': { privileged: true }, 'container:create:image_pull_policy': { image_pull_policy: 'never' }, 'container:create:requested_destination': { host: 'cn1' } }[rule];
      await assert.rejects(planCreate({ image: 'busybox', ...field }, undefined, probe('1.40', { deny: [rule], nodes: ['cn1'] }).deps), PolicyNotAuthorized, rule);
    }
  });

  test('an unknown requested host is 404 RequestedHostNotFound', async () => {
    await assert.rejects(plan({ image: 'busybox', host: 'nowhere' }), (e: Error) => e instanceof RequestedHostNotFound && e.message === 'Requested host nowhere could not be found.');
  });

  test('a registry of the caller\'s project is stored by its row id', async () => {
    const reg: Registry = {
      id: 42, uuid: 'eeeeeeee-0000-4000-8000-000000000042', name: 'myreg', domain: 'registry.example.com', username: 'u', password: null,
      project_id: 'p1', user_id: 'u1', created_at: new Date(), updated_at: null,
    };
    const { container: c } = await plan({ image: 'busybox', registry: 'myreg' }, '1.31', undefined, probe('1.31', { registries: [reg] }));
    assert.equal(c.registry_id, 42);
    assert.equal((await plan({ image: 'busybox' })).container.registry_id, undefined);
  });

  test('a registry the caller cannot see is 404', async () => {
    const p = probe('1.40');
    await assert.rejects(plan({ image: 'busybox', registry: 'myreg' }, '1.40', undefined, p), (e: Error) => e instanceof RegistryNotFound && e.message === 'Registry myreg could not be found.');
    assert.deepEqual(p.defaults, [], 'no default network is made for a create that fails');
    // What the client always sends is fine.
    assert.deepEqual((await plan({ image: 'busybox', nets: [], mounts: [] })).mounts, { mounts: [] });
  });
});

describe('create: nets', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  test('no nets (absent, null or empty): one port on the project\'s default network, asked for once, last', async () => {
    for (const nets of [undefined, null, []]) {
      const p = probe('1.40');
      const { ports } = await plan({ image: 'busybox', ...(nets === undefined ? {} : { nets }) }, '1.40', undefined, p);
      assert.equal(ports.ports.length, 1);
      assert.equal(ports.ports[0]?.network_uuid, DEFAULT_NET.uuid);
      assert.equal(ports.ports[0]?.requested_ip, null);
      assert.match(ports.ports[0]?.port_uuid ?? '', UUID);
      assert.deepEqual(p.defaults, [1]);
    }
  });

  test('{network} by name or uuid, order kept, fresh port uuids; v4-fixed-ip kept; the default network is not made', async () => {
    const back = NET({ id: 2, uuid: 'bbbbbbbb-0000-4000-8000-000000000002', name: 'back', cidr: '10.2.0.0/29', gateway: '10.2.0.6', shared: true, project_id: 'other' });
    const p = probe('1.2', { networks: [NET(), back] });
    const { ports } = await plan({ image: 'busybox', nets: [{ network: back.uuid, 'v4-fixed-ip': '10.2.0.5' }, { network: 'front' }] }, '1.2', undefined, p);
    assert.deepEqual(ports.ports.map((x) => [x.network_uuid, x.requested_ip]), [[back.uuid, '10.2.0.5'], [NET().uuid, null]]);
    assert.notEqual(ports.ports[0]?.port_uuid, ports.ports[1]?.port_uuid);
    assert.deepEqual(p.defaults, []);
  });

  test('nets are accepted at every version (1.2 is not gated)', async () => {
    const { ports } = await plan({ image: 'busybox', nets: [{ network: 'front' }] }, '1.1');
    assert.equal(ports.ports[0]?.network_uuid, NET().uuid);
  });

  const cases: [string, Record<string, unknown>[], number, string, string][] = [
    ['unknown network', [{ network: 'nope' }], 404, 'NetworkNotFound', 'Network nope could not be found.'],
    ['a Neutron port', [{ port: 'p-1' }], 400, 'NotSupported', 'Neutron ports are not supported (port p-1): this deployment has no Neutron. Attach the container to a network by name or uuid instead.'],
    ['an IPv6 address', [{ network: 'front', 'v6-fixed-ip': 'fd00::5' }], 400, 'NotSupported', "IPv6 addresses are not supported (fd00::5): networks are IPv4-only; give an IPv4 address of the network's subnet."],
    ['an address outside the subnet', [{ network: 'front', 'v4-fixed-ip': '10.9.0.5' }], 400, 'Invalid', 'Fixed IP 10.9.0.5 is not a host address of network front (10.1.0.0/24).'],
    ['the network address', [{ network: 'front', 'v4-fixed-ip': '10.1.0.0' }], 400, 'Invalid', 'Fixed IP 10.1.0.0 is not a host address of network front (10.1.0.0/24).'],
    ['the broadcast address', [{ network: 'front', 'v4-fixed-ip': '10.1.0.255' }], 400, 'Invalid', 'Fixed IP 10.1.0.255 is not a host address of network front (10.1.0.0/24).'],
    ['the gateway', [{ network: 'front', 'v4-fixed-ip': '10.1.0.1' }], 400, 'Invalid', 'Fixed IP 10.1.0.1 is the gateway of network front: choose another host address of 10.1.0.0/24.'],
    ['the same network twice', [{ network: 'front' }, { network: NET().uuid }], 400, 'InvalidValue', `Network ${NET().uuid} is requested twice: a container has one port per network.`],
  ];
  for (const [what, nets, status, name, message] of cases) {
    test(`${what}: ${status} ${name}`, async () => {
      const p = probe('1.40');
      await assert.rejects(plan({ image: 'busybox', nets }, '1.40', undefined, p), (e: Error & { status?: number }) => {
        assert.equal(e.status, status);
        assert.equal(e.name, name);
        assert.equal(e.message, message);
        return true;
      });
      assert.deepEqual(p.defaults, []);
    });
  }

  test('a request without a project: nets are 400, none means no port', async () => {
    const ctx: RequestContext = { ...CTX, projectId: null };
    await assert.rejects(plan({ image: 'busybox', nets: [{ network: 'front' }] }, '1.40', undefined, probe('1.40', { ctx })), (e: Error) =>
      e instanceof InvalidValue && e.message === 'Networks belong to a project: use a project-scoped token to create a container on them.');
    const p = probe('1.40', { ctx });
    assert.deepEqual((await plan({ image: 'busybox' }, '1.40', undefined, p)).ports, { ports: [] });
    assert.deepEqual(p.defaults, []);
  });
});

describe('create: mounts', () => {
  test('the plan carries the mounts; new volumes count as disk in the early quota check', async () => {
    const p = probe('1.40', { withQuota: true });
    const { mounts, quotaDeltas } = await planCreate({ image: 'busybox', disk: '2', mounts: [{ size: '3', destination: '/data' }, { type: 'bind', source: 'aGk=', destination: '/etc/x' }] }, undefined, p.deps);
    assert.deepEqual(mounts.mounts.map((m) => [m.kind, m.container_path]), [['new', '/data'], ['file', '/etc/x']]);
    assert.deepEqual(p.quota, [{ containers: 1, cpu: 0, memory: 0, disk: 5 }]);
    assert.deepEqual(quotaDeltas, { containers: 1, cpu: 0, memory: 0, disk: 5 });
  });

  test('below 1.11 a mount is the version error and counts for nothing in the quota check', async () => {
    const p = probe('1.10', { withQuota: true });
    await assert.rejects(planCreate({ image: 'busybox', mounts: [{ size: 3, destination: '/d' }] }, undefined, p.deps), InvalidParamInVersion);
    assert.deepEqual(p.quota, [{ containers: 1, cpu: 0, memory: 0, disk: 0 }]);
  });
});

describe('create: restart policy and exposed ports', () => {
  test('restart policy: count defaults to "0", is kept as a string, must be 0 with always/unless-stopped', () => {
    assert.deepEqual(normaliseRestartPolicy({ Name: 'on-failure', MaximumRetryCount: 3 }), { Name: 'on-failure', MaximumRetryCount: '3' });
    assert.deepEqual(normaliseRestartPolicy({ Name: 'always' }), { Name: 'always', MaximumRetryCount: '0' });
    assert.deepEqual(normaliseRestartPolicy({ Name: 'no', MaximumRetryCount: '5' }), { Name: 'no', MaximumRetryCount: '0' });
    assert.throws(() => normaliseRestartPolicy({ Name: 'always', MaximumRetryCount: '2' }), (e: Error) => e instanceof InvalidValue && e.message === 'maximum retry count not valid with restart policy of always');
    assert.throws(() => normaliseRestartPolicy({ Name: 'unless-stopped', MaximumRetryCount: 1 }), /unless-stopped/);
  });

  test('exposed ports: tcp by default, tcp/udp only, integer ports', () => {
    assert.deepEqual(buildExposedPorts({ '80': {}, '53/udp': {}, '443/tcp': {} }), { '80/tcp': {}, '53/udp': {}, '443/tcp': {} });
    assert.throws(() => buildExposedPorts({ '80/sctp': {} }), (e: Error) => e instanceof InvalidValue && e.message === 'value sctp is an invalid protocol');
    assert.throws(() => buildExposedPorts({ http: {} }), (e: Error) => e instanceof InvalidValue && e.message === 'value http is invalid as publish port.');
    assert.throws(() => buildExposedPorts({ '80/tcp/x': {} }), /invalid as publish port/);
  });

  test('generated names follow <greek letter>-<1..24>-container', () => {
    for (let i = 0; i < 50; i++) assert.match(generateContainerName(), /^(alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|omicron|pi|rho|sigma|tau|upsilon|phi|chi|psi|omega)-([1-9]|1\d|2[0-4])-container$/);
  });
});
