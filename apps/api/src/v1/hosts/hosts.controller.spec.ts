import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, ContainerApi, zunError } from '../../../tests/fixtures/container-api.fixture';

describe('/v1/hosts', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start({ flags: ['--api.auth_strategy=noauth'] });
    for (const h of ['cn-b', 'cn-a', 'cn-c']) await api.addComputeHost(h);
    await api.db.computeNodes.upsertFromTracker('cn-a', { architecture: 'x86_64', os: 'Debian', os_type: 'linux', kernel_version: '6.1', labels: { rack: 'r1' }, runtimes: ['runc'], disk_quota_supported: true });
  });
  after(() => api.close());

  test('1.4 and later, admin only', async () => {
    const old = await api.request('GET', '/v1/hosts', { version: '1.3', headers: ADMIN });
    assert.equal(old.status, 406);
    const demo = await api.request('GET', '/v1/hosts');
    assert.equal(demo.status, 403);
    assert.equal(zunError(demo.body).detail, "Policy doesn't allow host:get_all to be performed.");
    const demoOne = await api.request('GET', '/v1/hosts/cn-a');
    assert.equal(zunError(demoOne.body).detail, "Policy doesn't allow host:get to be performed.");
  });

  test('list: host view with links, sorted by hostname, paginated with Zun\'s next link', async () => {
    const r = await api.request('GET', '/v1/hosts/', { headers: ADMIN });
    assert.equal(r.status, 200);
    const { hosts, next } = r.body as { hosts: Record<string, unknown>[]; next: string | null };
    assert.deepEqual(hosts.map((h) => h['hostname']), ['cn-a', 'cn-b', 'cn-c']);
    assert.equal(next, null);
    const a = hosts[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(a), ['uuid', 'links', 'hostname', 'mem_total', 'mem_used', 'total_containers', 'cpus', 'cpu_used', 'architecture', 'os_type', 'os', 'kernel_version', 'labels', 'disk_total', 'disk_used', 'disk_quota_supported', 'runtimes', 'enable_cpu_pinning']);
    assert.deepEqual(a['links'], [{ href: `${api.url}/v1/hosts/${a['uuid'] as string}`, rel: 'self' }, { href: `${api.url}/hosts/${a['uuid'] as string}`, rel: 'bookmark' }]);
    assert.equal(a['mem_total'], 4096);
    assert.equal(a['cpus'], 4);
    assert.deepEqual(a['labels'], { rack: 'r1' });
    assert.equal(a['disk_quota_supported'], true);

    const p1 = await api.request('GET', '/v1/hosts?limit=2', { headers: ADMIN });
    const b1 = p1.body as { hosts: Record<string, unknown>[]; next: string };
    const marker = b1.hosts[1]?.['uuid'] as string;
    assert.equal(b1.next, `${api.url}/v1/hosts?sort_key=hostname&sort_dir=asc&limit=2&marker=${marker}`);
    const p2 = await api.request('GET', `/v1/hosts?limit=2&marker=${marker}`, { headers: ADMIN });
    assert.deepEqual((p2.body as { hosts: Record<string, unknown>[] }).hosts.map((h) => h['hostname']), ['cn-c']);
    const desc = await api.request('GET', '/v1/hosts?sort_dir=desc&foo=ignored', { headers: ADMIN });
    assert.deepEqual((desc.body as { hosts: Record<string, unknown>[] }).hosts.map((h) => h['hostname']), ['cn-c', 'cn-b', 'cn-a']);
  });

  test('show by hostname or uuid; bad paging and unknown hosts are 400/404', async () => {
    const byName = await api.request('GET', '/v1/hosts/cn-b', { headers: ADMIN });
    assert.equal(byName.status, 200);
    const uuid = (byName.body as Record<string, unknown>)['uuid'] as string;
    assert.equal(((await api.request('GET', `/v1/hosts/${uuid}`, { headers: ADMIN })).body as Record<string, unknown>)['hostname'], 'cn-b');
    const cases: [string, number, string][] = [
      ['/v1/hosts/nowhere', 404, 'Compute node nowhere could not be found.'],
      ['/v1/hosts?limit=-1', 400, 'Limit must be positive integer'],
      ['/v1/hosts?sort_dir=sideways', 400, "Invalid sort direction: sideways. Acceptable values are 'asc' or 'desc'"],
      ['/v1/hosts?marker=nope', 404, 'Compute node nope could not be found.'],
      ['/v1/hosts?marker=00000000-0000-4000-8000-000000000000', 404, 'Compute node 00000000-0000-4000-8000-000000000000 could not be found.'],
    ];
    for (const [path, status, detail] of cases) {
      const r = await api.request('GET', path, { headers: ADMIN });
      assert.equal(r.status, status, path);
      assert.equal(zunError(r.body).detail, detail, path);
    }
  });
});
