import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, ALT, ContainerApi, zunError } from '../../../tests/fixtures/container-api.fixture';
import { FakeNetworkRepository } from '../../../tests/fixtures/fake-network.repository';
import { checkSubnet } from './network.service';

type View = Record<string, unknown>;

// /v1/networks over HTTP with the network tables faked (the SQL repository is tested against real databases).

describe('/v1/networks: requests and answers', () => {
  let api: ContainerApi;
  let nets: FakeNetworkRepository;
  before(async () => {
    nets = new FakeNetworkRepository();
    api = await ContainerApi.start({ networks: nets });
  });
  after(() => api.close());

  const VIEW_KEYS = ['uuid', 'links', 'name', 'cidr', 'gateway', 'subnet_id', 'shared', 'nat_egress', 'is_default', 'project_id', 'user_id', 'created_at', 'updated_at'];

  test('create: 201 with the view and Location; gateway defaults to the first host; nat_egress to true; any microversion', async () => {
    const r = await api.request('POST', '/v1/networks', { body: { name: 'front', cidr: '10.10.0.0/24' }, version: '1.1' });
    assert.equal(r.status, 201, r.text);
    const v = r.body as View;
    assert.deepEqual(Object.keys(v), VIEW_KEYS);
    assert.equal(r.headers.get('location'), `${api.url}/v1/networks/${v['uuid'] as string}`);
    assert.deepEqual(v['links'], [
      { href: `${api.url}/v1/networks/${v['uuid'] as string}`, rel: 'self' },
      { href: `${api.url}/networks/${v['uuid'] as string}`, rel: 'bookmark' },
    ]);
    assert.deepEqual([v['name'], v['cidr'], v['gateway'], v['shared'], v['nat_egress'], v['is_default'], v['project_id'], v['user_id']],
      ['front', '10.10.0.0/24', '10.10.0.1', false, true, false, 'pdemo', 'demo']);
    assert.match(v['created_at'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const stored = nets.networks.find((n) => n.uuid === v['uuid']);
    assert.equal(stored?.project_id, 'pdemo');
  });

  test('create with a gateway, nat_egress false; shared is admin-only (403), an admin\'s shows segmentation_id', async () => {
    const r = await api.request('POST', '/v1/networks', { body: { name: 'isolated', cidr: '10.11.0.0/29', gateway: '10.11.0.6', nat_egress: false } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([(r.body as View)['gateway'], (r.body as View)['nat_egress']], ['10.11.0.6', false]);
    const denied = await api.request('POST', '/v1/networks', { body: { name: 'pub', cidr: '10.12.0.0/24', shared: true } });
    assert.equal(denied.status, 403);
    assert.equal(zunError(denied.body).detail, "Policy doesn't allow network:create:shared to be performed.");
    const ok = await api.request('POST', '/v1/networks', { body: { name: 'pub', cidr: '10.12.0.0/24', shared: true }, headers: ADMIN });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(Object.keys(ok.body as View), [...VIEW_KEYS.slice(0, 11), 'segmentation_id', 'created_at', 'updated_at']);
    assert.equal((ok.body as View)['shared'], true);
    assert.equal(typeof (ok.body as View)['segmentation_id'], 'number');
  });

  test('bad bodies: exact 400s, nothing written', async () => {
    const before = nets.networks.length;
    const cases: [unknown, string][] = [
      [{ cidr: '10.20.0.0/24' }, "'name' is a required property"],
      [{ name: 'x' }, "'cidr' is a required property"],
      [{ name: 'bad name', cidr: '10.20.0.0/24' }, "Invalid input for field 'name'.Value: 'bad name'. 'bad name' does not match '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'"],
      [{ name: null, cidr: '10.20.0.0/24' }, "Invalid input for field 'name'.Value: 'None'. None is not of type 'string'"],
      [{ name: 'n', cidr: '10.20.0.0/24', shared: 'true' }, "Invalid input for field 'shared'.Value: 'true'. 'true' is not of type 'boolean'"],
      [{ name: 'n', cidr: '10.20.0.0/24', nat_egress: 1 }, "Invalid input for field 'nat_egress'.Value: '1'. 1 is not of type 'boolean'"],
      [{ name: 'n', neutron_net_id: 'x', cidr: '10.20.0.0/24' }, "Additional properties are not allowed ('neutron_net_id' was unexpected)"],
      [{ name: '0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c', cidr: '10.20.0.0/24' }, 'Invalid network name 0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c: a name must not look like a uuid.'],
      [{ name: 'default', cidr: '10.20.0.0/24' }, "Invalid network name default: it is reserved for the project's default network."],
      [{ name: 'n', cidr: '10.20.0.1/24' }, 'Invalid cidr 10.20.0.1/24: give an IPv4 network address and prefix length with no host bits set, e.g. 10.1.2.0/24.'],
      [{ name: 'n', cidr: 'fd00::/64' }, 'Invalid cidr fd00::/64: give an IPv4 network address and prefix length with no host bits set, e.g. 10.1.2.0/24.'],
      [{ name: 'n', cidr: '10.0.0.0/8' }, 'Invalid cidr 10.0.0.0/8: the prefix length must be between /16 and /29.'],
      [{ name: 'n', cidr: '10.20.0.0/30' }, 'Invalid cidr 10.20.0.0/30: the prefix length must be between /16 and /29.'],
      [{ name: 'n', cidr: '10.20.0.0/24', gateway: '10.20.0.255' }, 'Invalid gateway 10.20.0.255: it must be a host address of 10.20.0.0/24.'],
      [{ name: 'n', cidr: '10.20.0.0/24', gateway: '10.21.0.1' }, 'Invalid gateway 10.21.0.1: it must be a host address of 10.20.0.0/24.'],
    ];
    for (const [body, detail] of cases) {
      const r = await api.request('POST', '/v1/networks', { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(zunError(r.body).detail, detail, JSON.stringify(body));
    }
    assert.equal((await api.request('POST', '/v1/networks', { body: '{"name": "n"}', contentType: 'text/plain' })).status, 415);
    assert.equal(nets.networks.length, before);
  });

  test('conflicts: an overlapping CIDR anywhere in the cloud, a name the project already uses: 409', async () => {
    const overlap = await api.request('POST', '/v1/networks', { body: { name: 'other', cidr: '10.10.0.128/25' }, headers: ALT });
    assert.equal(overlap.status, 409);
    assert.equal(zunError(overlap.body).code, 'container.network-cidr-conflict');
    const taken = await api.request('POST', '/v1/networks', { body: { name: 'front', cidr: '10.30.0.0/24' } });
    assert.equal(taken.status, 409);
    assert.match(zunError(taken.body).detail, /^A network named front already exists \([0-9a-f-]{36}\): network names are unique among the networks a project can use\.$/);
    const altSame = await api.request('POST', '/v1/networks', { body: { name: 'front', cidr: '10.31.0.0/24' }, headers: ALT });
    assert.equal(altSame.status, 201, 'another project may use the name');
  });

  test('list: own and shared, no segmentation_id for members; all_projects admin-only; paging checks', async () => {
    const r = await api.request('GET', '/v1/networks');
    assert.equal(r.status, 200);
    const body = r.body as { networks: View[]; next: string | null };
    assert.deepEqual(Object.keys(body), ['networks', 'next']);
    assert.deepEqual(body.networks.map((n) => n['name']).sort(), ['front', 'isolated', 'pub']);
    assert.ok(body.networks.every((n) => !('segmentation_id' in n)));
    const all = await api.request('GET', '/v1/networks?all_projects=1', { headers: ADMIN });
    assert.equal((all.body as { networks: View[] }).networks.length, nets.networks.length);
    const cases: [string, number, string][] = [
      ['/v1/networks?foo=1', 400, 'Unknown parameters: foo'],
      ['/v1/networks?limit=0', 400, 'Limit must be positive integer'],
      ['/v1/networks?sort_dir=up', 400, "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'"],
      ['/v1/networks?all_projects=1', 403, "Policy doesn't allow network:get_all_all_projects to be performed."],
      ['/v1/networks?marker=00000000-0000-4000-8000-000000000000', 404, 'Network 00000000-0000-4000-8000-000000000000 could not be found.'],
    ];
    for (const [path, status, detail] of cases) {
      const e = await api.request('GET', path);
      assert.equal(e.status, status, path);
      assert.equal(zunError(e.body).detail, detail, path);
    }
  });

  test('show by name or uuid; another project\'s private network is 404 like an unknown one; shared ones are visible', async () => {
    const byName = await api.request('GET', '/v1/networks/front');
    assert.equal(byName.status, 200);
    const uuid = (byName.body as View)['uuid'] as string;
    assert.equal(((await api.request('GET', `/v1/networks/${uuid}`)).body as View)['name'], 'front');
    assert.equal((await api.request('GET', '/v1/networks/pub', { headers: ALT })).status, 200);
    for (const path of ['/v1/networks/isolated', `/v1/networks/${uuid}`, '/v1/networks/nope']) {
      const r = await api.request('GET', path, { headers: ALT });
      const ident = path.split('/').pop() as string;
      assert.equal(r.status, 404, path);
      assert.deepEqual(zunError(r.body), {
        request_id: '', code: 'container.network-not-found', status: 404, title: `Network ${ident} could not be found.`, detail: `Network ${ident} could not be found.`, links: [],
      });
    }
    assert.equal((await api.request('PUT', '/v1/networks/front', { body: {} })).status, 405);
  });

  test('delete: in use 409, a shared network of another project 403, else 204 and gone', async () => {
    const front = nets.networks.find((n) => n.name === 'front' && n.project_id === 'pdemo');
    assert.ok(front);
    const port = nets.addRow({ container_uuid: 'c-1', network_uuid: front.uuid, status: 'bound', fixed_ip: '10.10.0.2' });
    const busy = await api.request('DELETE', '/v1/networks/front');
    assert.equal(busy.status, 409);
    assert.deepEqual([zunError(busy.body).code, zunError(busy.body).detail],
      ['container.network-in-use', `Network ${front.uuid} is in use: containers are attached to it. Detach them or delete them first.`]);
    nets.ports.splice(nets.ports.indexOf(port), 1);
    const notOwner = await api.request('DELETE', '/v1/networks/pub');
    assert.equal(notOwner.status, 403);
    assert.equal(zunError(notOwner.body).detail, "Policy doesn't allow network:delete to be performed.");
    const ok = await api.request('DELETE', '/v1/networks/front', { version: '1.1' });
    assert.equal(ok.status, 204);
    assert.equal(ok.text, '');
    assert.ok(!nets.networks.some((n) => n.uuid === front.uuid));
    assert.equal((await api.request('DELETE', '/v1/networks/front')).status, 404);
  });
});

describe('checkSubnet', () => {
  test('the first host is the default gateway; /29 and /16 are the limits', () => {
    assert.deepEqual(checkSubnet('192.168.4.0/29', null), { cidr: '192.168.4.0/29', gateway: '192.168.4.1' });
    assert.deepEqual(checkSubnet('172.16.0.0/16', '172.16.255.254'), { cidr: '172.16.0.0/16', gateway: '172.16.255.254' });
    assert.throws(() => checkSubnet('172.16.0.0/16', '172.16.0.0'), /must be a host address/);
  });
});
