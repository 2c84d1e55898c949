import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Container, type ContainerStatus, type Network } from '@zun-ts/objects';
import { ADMIN, ALT, ContainerApi, zunError } from '../../../tests/fixtures/container-api.fixture';
import { FakeNetworkRepository } from '../../../tests/fixtures/fake-network.repository';

// network_attach / network_detach / the security-group actions over HTTP, with the network tables faked
// (the SQL repository is tested against SQLite and MariaDB in tests/).

describe('container network actions', () => {
  let api: ContainerApi;
  let nets: FakeNetworkRepository;
  let front: Network;
  let back: Network;
  let shared: Network;
  let foreign: Network;
  before(async () => {
    nets = new FakeNetworkRepository();
    api = await ContainerApi.start({ networks: nets });
    await api.addComputeHost('cn1');
    front = nets.add({ name: 'front', cidr: '10.1.0.0/24', project_id: 'pdemo' });
    back = nets.add({ name: 'back', cidr: '10.2.0.0/29', project_id: 'pdemo' });
    shared = nets.add({ name: 'public', cidr: '10.3.0.0/24', project_id: 'padmin', shared: true });
    foreign = nets.add({ name: 'secret', cidr: '10.4.0.0/24', project_id: 'palt' });
  });
  after(() => api.close());
  beforeEach(() => {
    api.rpc.sent.length = 0;
    api.rpc.castError = null;
    nets.calls.length = 0;
  });

  /** A container of pdemo on cn1 with a bound port on `front`. */
  async function onFront(status: ContainerStatus = 'Running', extra: Partial<Container> = {}): Promise<Container> {
    const c = await api.addContainer({ status, host: 'cn1', ...extra });
    nets.addRow({ container_uuid: c.uuid, network_uuid: front.uuid, fixed_ip: '10.1.0.2', host: 'cn1', status: 'bound', project_id: 'pdemo' });
    return c;
  }
  const row = (c: Container): Promise<Container> => api.db.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid);
  const post = (c: Container, path: string, opts: Parameters<ContainerApi['request']>[2] = {}): ReturnType<ContainerApi['request']> =>
    api.request('POST', `/v1/containers/${c.uuid}/${path}`, opts);
  const actions = async (c: Container): Promise<string[]> => (await api.db.actions.list(c.uuid)).map((a) => a.action);
  const portsOf = (c: Container): { network: string; ip: string | null; status: string }[] =>
    nets.ports.filter((p) => p.container_uuid === c.uuid).map((p) => ({ network: p.network_uuid, ip: p.fixed_ip, status: p.status }));

  /** Status, error class and exact detail; nothing sent, no action, task state untouched. */
  async function refused(c: Container, path: string, status: number, code: string, detail: string, version?: string): Promise<void> {
    const before = portsOf(c);
    const r = await post(c, path, version ? { version } : {});
    assert.equal(r.status, status, `${path}: ${r.text}`);
    assert.equal(zunError(r.body).code, code, path);
    assert.equal(zunError(r.body).detail, detail, path);
    assert.deepEqual(api.rpc.sent, [], path);
    assert.deepEqual(await actions(c), [], path);
    assert.equal((await row(c)).task_state, null, path);
    assert.deepEqual(portsOf(c), before, path);
  }

  describe('network_attach (≥1.8)', () => {
    test('by name: a port allocated now, task network_attaching, action network_attach, networkAttach cast; 200 null', async () => {
      const c = await onFront();
      const r = await post(c, 'network_attach?network=back');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, 'null');
      const added = nets.ports.find((p) => p.container_uuid === c.uuid && p.network_uuid === back.uuid);
      assert.ok(added);
      assert.deepEqual([added.fixed_ip, added.host, added.status, added.device_index, added.project_id], ['10.2.0.2', 'cn1', 'allocated', 1, 'pdemo']);
      assert.equal((await row(c)).task_state, 'network_attaching');
      assert.deepEqual(await actions(c), ['network_attach']);
      assert.deepEqual(api.rpc.sent.map((m) => [m.kind, m.topic, m.method, m.args]), [['cast', 'compute.cn1', 'networkAttach', { container_uuid: c.uuid, port_uuid: added.uuid }]]);
    });

    test('by uuid with a fixed IP; a shared network of another project; in the JSON body too', async () => {
      const c = await onFront('Stopped');
      assert.equal((await post(c, `network_attach?network=${back.uuid}&fixed_ip=10.2.0.5`)).status, 200);
      await api.db.containers.update(c.uuid, { task_state: null });
      assert.equal((await post(c, 'network_attach', { body: { network: 'public' } })).status, 200);
      assert.deepEqual(portsOf(c).map((p) => [p.network, p.ip]), [[front.uuid, '10.1.0.2'], [back.uuid, '10.2.0.5'], [shared.uuid, '10.3.0.2']]);
    });

    test('an admin attaches a container of another project to that project\'s network (the container\'s scope, not the caller\'s)', async () => {
      const c = await onFront();
      const r = await post(c, 'network_attach?network=back', { headers: ADMIN });
      assert.equal(r.status, 200, r.text);
      const admins = nets.add({ name: 'adm-only', cidr: '10.9.0.0/24', project_id: 'padmin' });
      await api.db.containers.update(c.uuid, { task_state: null });
      const other = await post(c, 'network_attach?network=adm-only', { headers: ADMIN });
      assert.equal(other.status, 404);
      assert.equal(zunError(other.body).detail, 'Network adm-only could not be found.');
      assert.ok(!portsOf(c).some((p) => p.network === admins.uuid));
    });

    test('bad requests: exact status and message, nothing written or sent', async () => {
      const c = await onFront();
      await refused(c, 'network_attach?port=p-1', 400, 'container.not-supported',
        'Neutron ports are not supported (port p-1): this deployment has no Neutron. Attach the container to a network by name or uuid instead.');
      await refused(c, 'network_attach?network=front', 400, 'container.invalid', `Network front is already attached to container ${c.uuid}.`);
      await refused(c, `network_attach?network=${front.uuid}`, 400, 'container.invalid', `Network ${front.uuid} is already attached to container ${c.uuid}.`);
      await refused(c, 'network_attach?network=secret', 404, 'container.network-not-found', 'Network secret could not be found.');
      await refused(c, `network_attach?network=${foreign.uuid}`, 404, 'container.network-not-found', `Network ${foreign.uuid} could not be found.`);
      await refused(c, 'network_attach?network=nope', 404, 'container.network-not-found', 'Network nope could not be found.');
      await refused(c, 'network_attach?network=back&fixed_ip=10.9.9.9', 400, 'container.invalid', 'Fixed IP 10.9.9.9 is not a host address of network back (10.2.0.0/29).');
      await refused(c, 'network_attach?network=back&fixed_ip=10.2.0.1', 400, 'container.invalid', 'Fixed IP 10.2.0.1 is the gateway of network back: choose another host address of 10.2.0.0/29.');
      await refused(c, 'network_attach?network=back&fixed_ip=fd00::1', 400, 'container.not-supported',
        "IPv6 addresses are not supported (fd00::1): networks are IPv4-only; give an IPv4 address of the network's subnet.");
      await refused(c, 'network_attach?network=back&fixed_ip=banana', 400, 'container.schema-validation-error',
        "Invalid input for query parameters 'fixed_ip'. Value: 'banana'. 'banana' is not valid under any of the given schemas");
      const both = await post(c, 'network_attach?network=back&port=p1');
      assert.equal(both.status, 400);
      assert.match(zunError(both.body).detail, /is valid under each of/);
      const neither = await post(c, 'network_attach');
      assert.equal(neither.status, 400);
      assert.equal(api.rpc.sent.length, 0);
    });

    test('allocation failures are 409 at once: exhausted network, address in use; nothing left behind', async () => {
      const tiny = nets.add({ name: 'tiny', cidr: '10.5.0.0/29', project_id: 'pdemo' });
      for (let i = 2; i <= 6; i++) nets.addRow({ container_uuid: `other-${i}`, network_uuid: tiny.uuid, fixed_ip: `10.5.0.${i}`, status: 'bound' });
      const c = await onFront();
      await refused(c, 'network_attach?network=tiny', 409, 'container.network-exhausted', `No free address left in network ${tiny.uuid}.`);
      await refused(c, 'network_attach?network=tiny&fixed_ip=10.5.0.3', 409, 'container.ip-address-in-use', `Fixed IP 10.5.0.3 is in use on network ${tiny.uuid}.`);
    });

    test('a racing attach of the same network (the repository\'s Conflict) is the same 400; the task state is put back', async () => {
      const c = await onFront();
      nets.addRow({ container_uuid: c.uuid, network_uuid: back.uuid, status: 'allocated', fixed_ip: '10.2.0.4' });
      // Seen by portsOf too: make portsOf miss it once, as if the other request had not written it yet.
      const realPortsOf = nets.portsOf.bind(nets);
      nets.portsOf = async (uuid) => (await realPortsOf(uuid)).filter((p) => p.network.uuid !== back.uuid);
      try {
        const r = await post(c, 'network_attach?network=back');
        assert.equal(r.status, 400);
        assert.equal(zunError(r.body).detail, `Network back is already attached to container ${c.uuid}.`);
      } finally {
        nets.portsOf = realPortsOf;
      }
      assert.equal((await row(c)).task_state, null);
      assert.deepEqual(api.rpc.sent, []);
    });

    test('a failed cast deletes the new port and puts the task state back', async () => {
      const c = await onFront();
      api.rpc.castError = new Error('redis down');
      const r = await post(c, 'network_attach?network=back');
      assert.equal(r.status, 500);
      assert.deepEqual(portsOf(c).map((p) => p.network), [front.uuid]);
      assert.equal((await row(c)).task_state, null);
    });

    test('guards: state (409), another task in flight (409), no host (400), version (406), policy (404 for another project)', async () => {
      const creating = await api.addContainer({ status: 'Error', host: null });
      await refused(creating, 'network_attach?network=back', 409, 'container.invalid-state-exception', `Cannot network_attach container ${creating.uuid} in Error state`);
      const busy = await onFront('Running', { task_state: 'container_stopping' });
      const r = await post(busy, 'network_attach?network=back');
      assert.equal(r.status, 409);
      assert.equal(zunError(r.body).detail, `Cannot network_attach container ${busy.uuid} in Running state: task container_stopping is in progress`);
      assert.deepEqual(portsOf(busy).map((p) => p.network), [front.uuid], 'the port of the losing request is not written');
      const noHost = await api.addContainer({ status: 'Created', host: null });
      await refused(noHost, 'network_attach?network=back', 400, 'container.invalid', 'Cannot operate an uncreated container.');
      const c = await onFront();
      const old = await post(c, 'network_attach?network=back', { version: '1.7' });
      assert.equal(old.status, 406);
      const alt = await post(c, 'network_attach?network=back', { headers: ALT });
      assert.equal(alt.status, 404);
      assert.deepEqual(api.rpc.sent, []);
    });
  });

  describe('network_detach (≥1.6)', () => {
    test('by network name: port marked detaching, task network_detaching, action network_detach, networkDetach cast; 202 null', async () => {
      const c = await onFront();
      const port = nets.ports.find((p) => p.container_uuid === c.uuid);
      assert.ok(port);
      const r = await post(c, 'network_detach?network=front');
      assert.equal(r.status, 202, r.text);
      assert.equal(r.text, 'null');
      assert.equal(port.status, 'detaching');
      assert.equal((await row(c)).task_state, 'network_detaching');
      assert.deepEqual(await actions(c), ['network_detach']);
      assert.deepEqual(api.rpc.sent.map((m) => [m.kind, m.topic, m.method, m.args]), [['cast', 'compute.cn1', 'networkDetach', { container_uuid: c.uuid, port_uuid: port.uuid }]]);
    });

    test('by network uuid and by port uuid (1.17\'s port parameter); the last network may go', async () => {
      const c = await onFront();
      const port = nets.ports.find((p) => p.container_uuid === c.uuid);
      assert.ok(port);
      assert.equal((await post(c, `network_detach?port=${port.uuid}`)).status, 202);
      assert.deepEqual(api.rpc.of('networkDetach').map((m) => m.args['port_uuid']), [port.uuid]);
      const d = await onFront();
      assert.equal((await post(d, `network_detach?network=${front.uuid}`, { version: '1.6' })).status, 202);
      assert.equal((await row(d)).task_state, 'network_detaching');
    });

    test('not attached: 400; an unknown or invisible network: 404; exactly one of network/port; 406 below 1.6', async () => {
      const c = await onFront();
      await refused(c, 'network_detach?network=back', 400, 'container.invalid', `Network back is not attached to container ${c.uuid}.`);
      await refused(c, 'network_detach?network=public', 400, 'container.invalid', `Network public is not attached to container ${c.uuid}.`);
      await refused(c, 'network_detach?port=0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c', 400, 'container.invalid',
        `Port 0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c is not attached to container ${c.uuid}.`);
      await refused(c, 'network_detach?network=secret', 404, 'container.network-not-found', 'Network secret could not be found.');
      await refused(c, 'network_detach', 400, 'container.schema-validation-error', "{} is not valid under any of the given schemas");
      const both = await post(c, `network_detach?network=front&port=x`);
      assert.equal(both.status, 400);
      assert.equal((await post(c, 'network_detach?network=front', { version: '1.5' })).status, 406);
      assert.deepEqual(portsOf(c).map((p) => p.status), ['bound']);
    });

    test('a failed cast puts the port status and the task state back', async () => {
      const c = await onFront();
      api.rpc.castError = new Error('redis down');
      assert.equal((await post(c, 'network_detach?network=front')).status, 500);
      assert.deepEqual(portsOf(c).map((p) => p.status), ['bound']);
      assert.equal((await row(c)).task_state, null);
    });
  });

  test('delete of a never-placed container releases its ports (their addresses are free again)', async () => {
    const c = await api.addContainer({ status: 'Error', host: null });
    nets.addRow({ container_uuid: c.uuid, network_uuid: back.uuid, status: 'pending' });
    nets.addRow({ container_uuid: c.uuid, network_uuid: shared.uuid, status: 'pending' });
    const r = await api.request('DELETE', `/v1/containers/${c.uuid}`);
    assert.equal(r.status, 204, r.text);
    assert.deepEqual(portsOf(c), []);
    assert.ok(nets.calls.includes('releasePorts'));
    assert.deepEqual(api.rpc.sent, []);
  });

  describe('security groups need Neutron', () => {
    test('add_security_group / remove_security_group: 400 up to 1.14 (after lookup and policy), 406 from 1.15', async () => {
      const c = await onFront();
      const detail = 'Security groups are not supported: they need Neutron, which this deployment does not have. Use exposed_ports (microversion 1.24 or later) to publish ports of a container.';
      for (const action of ['add_security_group', 'remove_security_group']) {
        await refused(c, `${action}?name=default`, 400, 'container.not-supported', detail, '1.14');
        assert.equal((await post(c, `${action}?name=default`, { version: '1.15' })).status, 406);
        assert.equal((await post(c, `${action}?name=default`, { version: '1.14', headers: ALT })).status, 404);
        assert.equal((await post(c, action, { version: '1.14' })).status, 400, 'name is required');
      }
    });
  });
});
