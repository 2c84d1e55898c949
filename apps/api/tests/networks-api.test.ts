// Project networks through the API over a real database (SQLite; MariaDB where requests race) with recording
// RPC: nets on container create, the default network, /v1/networks, network_attach/detach/list, security
// groups. What is asserted is what the database holds afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrsOverlap } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { ADMIN, ALT, ContainerApi, DEMO, zunError } from './fixtures/container-api.fixture';
import { createMariadbDatabase } from './fixtures/tenancy-env';

/** What the python client sends on create. */
const CREATE = { image: 'busybox', command: [], labels: {}, environment: {}, hints: {}, nets: [], auto_remove: false };
const ALL = { projectId: null, allProjects: true };
type View = Record<string, unknown>;

async function createNetwork(api: ContainerApi, body: Record<string, unknown>, headers: Record<string, string> = DEMO): Promise<View> {
  const r = await api.request('POST', '/v1/networks', { body, headers });
  assert.equal(r.status, 201, r.text);
  return r.body as View;
}

async function createContainer(api: ContainerApi, body: Record<string, unknown>, headers: Record<string, string> = DEMO, version?: string): Promise<string> {
  const r = await api.request('POST', '/v1/containers', { body: { ...CREATE, ...body }, headers, ...(version ? { version } : {}) });
  assert.equal(r.status, 202, r.text);
  return (r.body as View)['uuid'] as string;
}

/** Rows of the container, network and port tables, to show a refused request wrote nothing. */
async function snapshot(api: ContainerApi): Promise<{ containers: number; networks: string[]; ports: string[] }> {
  const containers = await api.db.containers.list({ ...ALL, containerType: null });
  const ports: string[] = [];
  for (const c of containers) for (const p of await api.db.networks.portsOf(c.uuid)) ports.push(`${p.port.uuid}:${p.port.status}:${p.port.fixed_ip ?? '-'}`);
  const networks = (await api.db.networks.list(ALL)).map((n) => n.uuid).sort();
  return { containers: containers.length, networks, ports: ports.sort() };
}

describe('networks through the API (SQLite)', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
    await api.addComputeHost('cn1');
  });
  after(() => api.close());

  test('no nets: the project\'s default network is made once and used; another project gets its own, with a distinct subnet', async () => {
    const a = await createContainer(api, {});
    const b = await createContainer(api, { nets: null });
    const c = await createContainer(api, {}, ALT);
    const [pa] = await api.db.networks.portsOf(a);
    const [pb] = await api.db.networks.portsOf(b);
    const [pc] = await api.db.networks.portsOf(c);
    assert.ok(pa && pb && pc);
    assert.equal(pa.network.uuid, pb.network.uuid);
    assert.deepEqual([pa.network.name, pa.network.is_default, pa.network.project_id, pa.port.status, pa.port.device_index], ['default', true, 'pdemo', 'pending', 0]);
    assert.notEqual(pc.network.uuid, pa.network.uuid);
    assert.equal(pc.network.project_id, 'palt');
    assert.ok(!cidrsOverlap(pa.network.cidr, pc.network.cidr), `${pa.network.cidr} / ${pc.network.cidr}`);
    for (const n of [pa.network, pc.network]) {
      assert.ok(cidrsOverlap(n.cidr, api.conf.network.default_pool), n.cidr);
      assert.ok(n.cidr.endsWith(`/${api.conf.network.default_prefix}`), n.cidr);
    }
    const listed = await api.request('GET', '/v1/networks');
    assert.deepEqual((listed.body as { networks: View[] }).networks.filter((n) => n['is_default']).map((n) => n['uuid']), [pa.network.uuid]);
  });

  test('nets: by name (--net network=<name>) with v4-fixed-ip, by uuid, in order; ports pending with the requested address', async () => {
    const front = await createNetwork(api, { name: 'front', cidr: '10.50.0.0/24' });
    const back = await createNetwork(api, { name: 'back', cidr: '10.51.0.0/28' });
    const uuid = await createContainer(api, { command: null, auto_remove: null, nets: [{ network: 'front', 'v4-fixed-ip': '10.50.0.10' }, { network: back['uuid'] }] }, DEMO, '1.2');
    const ports = await api.db.networks.portsOf(uuid);
    assert.deepEqual(ports.map((p) => [p.network.uuid, p.port.requested_ip, p.port.status, p.port.device_index]), [
      [front['uuid'], '10.50.0.10', 'pending', 0],
      [back['uuid'], null, 'pending', 1],
    ]);
    const build = api.rpc.of('buildContainer').find((m) => m.args['container_uuid'] === uuid);
    assert.ok(build, 'handed to the conductor');
  });

  test('another project\'s private network is 404 exactly like an unknown one, and nothing is written', async () => {
    const theirs = await createNetwork(api, { name: 'alt-private', cidr: '10.52.0.0/24' }, ALT);
    const before = await snapshot(api);
    for (const network of ['alt-private', theirs['uuid'] as string, 'no-such-net']) {
      const r = await api.request('POST', '/v1/containers', { body: { ...CREATE, nets: [{ network }] } });
      assert.equal(r.status, 404, r.text);
      assert.deepEqual([zunError(r.body).code, zunError(r.body).detail], ['container.network-not-found', `Network ${network} could not be found.`]);
    }
    assert.deepEqual(await snapshot(api), before);
  });

  test('bad nets and security groups are 400 with nothing written', async () => {
    const before = await snapshot(api);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ nets: [{ port: 'p1' }] }, 'container.not-supported', 'Neutron ports are not supported (port p1): this deployment has no Neutron. Attach the container to a network by name or uuid instead.'],
      [{ nets: [{ network: 'front', 'v6-fixed-ip': 'fd00::2' }] }, 'container.not-supported', "IPv6 addresses are not supported (fd00::2): networks are IPv4-only; give an IPv4 address of the network's subnet."],
      [{ nets: [{ network: 'front', 'v4-fixed-ip': '10.50.0.1' }] }, 'container.invalid', 'Fixed IP 10.50.0.1 is the gateway of network front: choose another host address of 10.50.0.0/24.'],
      [{ nets: [{ network: 'front', 'v4-fixed-ip': '10.51.0.3' }] }, 'container.invalid', 'Fixed IP 10.51.0.3 is not a host address of network front (10.50.0.0/24).'],
      [{ nets: [{ network: 'front' }, { network: 'front' }] }, 'container.invalid-value', 'Network front is requested twice: a container has one port per network.'],
      [{ security_groups: ['default'] }, 'container.not-supported', 'Security groups are not supported: they need Neutron, which this deployment does not have. Use exposed_ports (microversion 1.24 or later) to publish ports of a container.'],
    ];
    for (const [body, code, detail] of cases) {
      const r = await api.request('POST', '/v1/containers', { body: { ...CREATE, ...body } });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.deepEqual([zunError(r.body).code, zunError(r.body).detail], [code, detail], JSON.stringify(body));
    }
    assert.deepEqual(await snapshot(api), before);
  });

  test('a shared network (admin-made) is usable by another project; members cannot share', async () => {
    assert.equal((await api.request('POST', '/v1/networks', { body: { name: 'pub', cidr: '10.53.0.0/24', shared: true } })).status, 403);
    const pub = await createNetwork(api, { name: 'public', cidr: '10.53.0.0/24', shared: true }, ADMIN);
    const uuid = await createContainer(api, { nets: [{ network: 'public' }] }, ALT);
    const [port] = await api.db.networks.portsOf(uuid);
    assert.equal(port?.network.uuid, pub['uuid']);
    assert.equal(port?.port.project_id, 'palt');
  });

  test('CIDR overlap with any network of the cloud is 409; delete in use is 409, then 204 once its containers are gone', async () => {
    const overlap = await api.request('POST', '/v1/networks', { body: { name: 'clash', cidr: '10.50.0.128/25' }, headers: ALT });
    assert.equal(overlap.status, 409, overlap.text);
    assert.equal(zunError(overlap.body).code, 'container.network-cidr-conflict');
    const net = await createNetwork(api, { name: 'short-lived', cidr: '10.54.0.0/24' });
    const uuid = await createContainer(api, { nets: [{ network: 'short-lived' }] });
    const busy = await api.request('DELETE', '/v1/networks/short-lived');
    assert.equal(busy.status, 409);
    assert.deepEqual([zunError(busy.body).code, zunError(busy.body).detail],
      ['container.network-in-use', `Network ${net['uuid'] as string} is in use: containers are attached to it. Detach them or delete them first.`]);
    // Never placed (scheduling failed): its delete releases the port.
    await api.db.containers.update(uuid, { status: 'Error' });
    assert.equal((await api.request('DELETE', `/v1/containers/${uuid}`)).status, 204);
    assert.deepEqual(await api.db.networks.portsOf(uuid), []);
    assert.equal((await api.request('DELETE', '/v1/networks/short-lived')).status, 204);
    assert.equal((await api.request('GET', `/v1/networks/${net['uuid'] as string}`)).status, 404);
  });

  test('network_attach (1.8) allocates at once and casts; network_detach (1.6) marks the port and casts; network_list (1.13) reads addresses', async () => {
    const side = await createNetwork(api, { name: 'side', cidr: '10.55.0.0/29' });
    const c = await api.addContainer({ status: 'Running', host: 'cn1' });
    assert.equal((await api.request('POST', `/v1/containers/${c.uuid}/network_attach?network=side`, { version: '1.7' })).status, 406);
    const r = await api.request('POST', `/v1/containers/${c.uuid}/network_attach?network=side&fixed_ip=10.55.0.4`, { version: '1.8' });
    assert.equal(r.status, 200, r.text);
    const [port] = await api.db.networks.portsOf(c.uuid);
    assert.ok(port);
    assert.deepEqual([port.network.uuid, port.port.fixed_ip, port.port.host, port.port.status], [side['uuid'], '10.55.0.4', 'cn1', 'allocated']);
    const after = await api.db.containers.getByUuid(ALL, c.uuid);
    assert.equal(after.task_state, 'network_attaching');
    assert.deepEqual((await api.db.actions.list(c.uuid)).map((a) => a.action), ['network_attach']);
    assert.deepEqual(api.rpc.of('networkAttach').at(-1)?.args, { container_uuid: c.uuid, port_uuid: port.port.uuid });

    // The host plugged it and saved addresses; the task is over.
    const addresses = { [side['uuid'] as string]: [{ addr: '10.55.0.4', version: 4, port: port.port.uuid, subnet_id: side['subnet_id'] as string, preserve_on_delete: false }] };
    await api.db.containers.update(c.uuid, { task_state: null, addresses });
    assert.equal((await api.request('GET', `/v1/containers/${c.uuid}/network_list`, { version: '1.12' })).status, 406);
    const legacy = await api.request('GET', `/v1/containers/${c.uuid}/network_list`, { version: '1.13' });
    assert.deepEqual(legacy.body, { networks: [{ net_id: side['uuid'], subnet_id: side['subnet_id'], port_id: port.port.uuid, version: 4, ip_address: '10.55.0.4' }] });
    const listed = await api.request('GET', `/v1/containers/${c.uuid}/network_list`);
    assert.deepEqual(listed.body, { networks: [{ net_id: side['uuid'], port_id: port.port.uuid, fixed_ips: [{ subnet_id: side['subnet_id'], version: 4, ip_address: '10.55.0.4' }] }] });

    const again = await api.request('POST', `/v1/containers/${c.uuid}/network_attach?network=side`);
    assert.equal(again.status, 400);
    assert.equal(zunError(again.body).detail, `Network side is already attached to container ${c.uuid}.`);

    assert.equal((await api.request('POST', `/v1/containers/${c.uuid}/network_detach?network=side`, { version: '1.5' })).status, 406);
    const d = await api.request('POST', `/v1/containers/${c.uuid}/network_detach?network=side`, { version: '1.6' });
    assert.equal(d.status, 202, d.text);
    assert.equal((await api.db.networks.portsOf(c.uuid))[0]?.port.status, 'detaching');
    assert.equal((await api.db.containers.getByUuid(ALL, c.uuid)).task_state, 'network_detaching');
    assert.deepEqual(api.rpc.of('networkDetach').at(-1)?.args, { container_uuid: c.uuid, port_uuid: port.port.uuid });
    assert.deepEqual((await api.db.actions.list(c.uuid)).map((a) => a.action).sort(), ['network_attach', 'network_detach']);
  });

  test('security-group actions: 400 up to 1.14, 406 after', async () => {
    const c = await api.addContainer({ status: 'Running', host: 'cn1' });
    const r = await api.request('POST', `/v1/containers/${c.uuid}/add_security_group?name=default`, { version: '1.14' });
    assert.equal(r.status, 400);
    assert.equal(zunError(r.body).code, 'container.not-supported');
    assert.equal((await api.request('POST', `/v1/containers/${c.uuid}/remove_security_group?name=default`, { version: '1.15' })).status, 406);
  });

  test('published_ports: shown from 1.24, hidden below', async () => {
    const published = [{ port: 80, protocol: 'tcp', host_ip: '192.0.2.10', host_port: 32768 }];
    const c = await api.addContainer({ status: 'Running', host: 'cn1', published_ports: published as never });
    const shown = await api.request('GET', `/v1/containers/${c.uuid}`, { version: '1.24' });
    assert.deepEqual((shown.body as View)['published_ports'], published);
    const old = await api.request('GET', `/v1/containers/${c.uuid}`, { version: '1.23' });
    assert.ok(!('published_ports' in (old.body as View)));
  });
});

describe('networks under concurrency (MariaDB)', () => {
  test('racing first creates of a project share one default network; racing attaches of one address: one 200, the rest 409', async () => {
    const maria = await createMariadbDatabase();
    const db = await Database.open(maria.url, { poolSize: 10 });
    try {
      await db.migrate();
      const api = await ContainerApi.start({ db });
      try {
        await api.addComputeHost('cn1');
        const creates = await Promise.all(Array.from({ length: 5 }, () => api.request('POST', '/v1/containers', { body: CREATE })));
        assert.deepEqual(creates.map((r) => r.status), [202, 202, 202, 202, 202]);
        const networks = new Set<string>();
        for (const r of creates) for (const p of await db.networks.portsOf((r.body as View)['uuid'] as string)) networks.add(p.network.uuid);
        assert.equal(networks.size, 1);
        assert.equal((await db.networks.list({ projectId: 'pdemo', allProjects: false })).filter((n) => n.is_default).length, 1);

        await createNetwork(api, { name: 'race', cidr: '10.60.0.0/24' });
        const containers = await Promise.all(Array.from({ length: 4 }, () => api.addContainer({ status: 'Running', host: 'cn1' })));
        const attaches = await Promise.all(containers.map((c) => api.request('POST', `/v1/containers/${c.uuid}/network_attach?network=race&fixed_ip=10.60.0.9`)));
        assert.deepEqual(attaches.map((r) => r.status).sort(), [200, 409, 409, 409]);
        for (const r of attaches.filter((x) => x.status === 409)) assert.equal(zunError(r.body).code, 'container.ip-address-in-use');
        const holders: string[] = [];
        for (const c of containers) {
          for (const p of await db.networks.portsOf(c.uuid)) holders.push(p.port.fixed_ip ?? '');
          // The losers' task state was put back.
          if (!(await db.networks.portsOf(c.uuid)).length) assert.equal((await db.containers.getByUuid(ALL, c.uuid)).task_state, null);
        }
        assert.deepEqual(holders, ['10.60.0.9']);
      } finally {
        await api.close();
      }
    } finally {
      await db.close();
      await maria.drop();
    }
  });
});
