import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type RequestContext } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { PolicyEnforcer } from '@zun-ts/policy';
import { ApiVersion } from '../../http/api-version';
import {
  actionView, CONTAINER_VIEW_FIELDS, containerListBody, containerView, containerViews, eventView, formatPyDateTime, hiddenContainerFields, LIST_BODY_CACHE,
  listBodyCacheStats,
} from './container.view';

const ADMIN: RequestContext = { requestId: 'r', userId: 'a', projectId: 'pa', roles: ['admin'], isAdmin: true };
const MEMBER: RequestContext = { requestId: 'r', userId: 'u', projectId: 'pu', roles: ['member'], isAdmin: false };

function container(over: Partial<Container> = {}): Container {
  return {
    id: 7, uuid: '11111111-2222-4333-8444-555555555555', container_type: 0, name: 'web', project_id: 'pu', user_id: 'u',
    image: 'nginx', image_driver: 'docker', image_pull_policy: 'always', registry_id: 3, cpu: 1, cpu_policy: 'shared', cpuset: null,
    memory: '512', disk: 0, command: ['nginx'], entrypoint: null, status: 'Running', status_reason: null, status_detail: 'Up 3 mins',
    task_state: null, environment: { A: 'b' }, workdir: null, ports: [80], exposed_ports: { '80/tcp': {} }, published_ports: null, hostname: 'h',
    labels: {}, addresses: { net1: [{ addr: '10.0.0.2', version: 4, port: 'p1', subnet_id: 's1', preserve_on_delete: false }] },
    host: 'cn1', restart_policy: { Name: 'no', MaximumRetryCount: '0' }, interactive: false, tty: false, auto_remove: false,
    auto_heal: false, privileged: false, runtime: 'runc', healthcheck: null, security_groups: null, container_id: 'abc',
    websocket_url: 'ws://x', websocket_token: 'tok', capsule_id: null, started_at: new Date(), annotations: null, cni_metadata: null,
    created_at: new Date(Date.UTC(2019, 4, 18, 21, 2, 12)), updated_at: new Date(Date.UTC(2019, 4, 18, 21, 2, 12, 345)),
    ...over,
  };
}

const V1_40 = ApiVersion.parse('1.40') as ApiVersion;

describe('container view', () => {
  const policy = new PolicyEnforcer();

  test('datetimes print like Python str(datetime): space, no zone, microseconds only when non-zero', () => {
    assert.equal(formatPyDateTime(new Date(Date.UTC(2019, 4, 18, 21, 2, 12))), '2019-05-18 21:02:12');
    assert.equal(formatPyDateTime(new Date(Date.UTC(2019, 4, 18, 21, 2, 12, 5))), '2019-05-18 21:02:12.005000');
    assert.equal(formatPyDateTime(null), null);
  });

  test('admins see every field, in Zun order, links right after uuid, internal fields never', () => {
    const v = containerView(container(), hiddenContainerFields(policy, ADMIN, V1_40), 'http://api:9517');
    assert.deepEqual(Object.keys(v), ['uuid', 'links', ...CONTAINER_VIEW_FIELDS.slice(1)]);
    assert.deepEqual(v['links'], [
      { href: 'http://api:9517/v1/containers/11111111-2222-4333-8444-555555555555', rel: 'self' },
      { href: 'http://api:9517/containers/11111111-2222-4333-8444-555555555555', rel: 'bookmark' },
    ]);
    for (const internal of ['id', 'container_id', 'websocket_url', 'websocket_token', 'exposed_ports', 'started_at', 'cpuset', 'capsule_id', 'container_type']) {
      assert.ok(!(internal in v), internal);
    }
    assert.equal(v['memory'], '512');
    assert.equal(v['host'], 'cn1');
    assert.equal(v['created_at'], '2019-05-18 21:02:12');
    assert.equal(v['updated_at'], '2019-05-18 21:02:12.345000');
    assert.equal(v['registry_id'], null, 'the internal registry id is not shown');
    assert.deepEqual(v['addresses'], { net1: [{ addr: '10.0.0.2', version: 4, port: 'p1', subnet_id: 's1', preserve_on_delete: false }] });
  });

  test('non-admins do not see host, image_pull_policy, privileged, runtime', () => {
    const hidden = hiddenContainerFields(policy, MEMBER, V1_40);
    assert.deepEqual([...hidden].sort(), ['host', 'image_pull_policy', 'privileged', 'runtime']);
    const v = containerView(container(), hidden);
    assert.ok(!('host' in v) && !('runtime' in v) && !('privileged' in v) && !('image_pull_policy' in v));
    assert.ok(!('links' in v), 'no links without a URL (list items)');
    assert.equal(v['status'], 'Running');
  });

  test('published_ports from 1.24 on (zun-ts\'s field), for every caller; hidden below', () => {
    const published = [{ port: 80, protocol: 'tcp' as const, host_ip: '192.0.2.10', host_port: 32768 }];
    const c = container({ published_ports: published });
    for (const [version, shown] of [['1.24', true], ['1.40', true], ['1.23', false], ['1.1', false]] as const) {
      const v = containerView(c, hiddenContainerFields(policy, MEMBER, ApiVersion.parse(version) as ApiVersion));
      assert.equal('published_ports' in v, shown, version);
      if (shown) assert.deepEqual(v['published_ports'], published);
    }
    assert.equal(containerView(container(), hiddenContainerFields(policy, ADMIN, V1_40))['published_ports'], null, 'null until the host publishes');
    const keys = Object.keys(containerView(c, hiddenContainerFields(policy, ADMIN, V1_40)));
    assert.deepEqual(keys.slice(-4), ['entrypoint', 'published_ports', 'created_at', 'updated_at']);
  });

  test('compiled views match the field-by-field rule for any hidden set, with and without links and registries', () => {
    // The rule the compiled literals must follow: Zun order, links after uuid, dates as Python prints them,
    // registry ids as uuids, hidden fields absent.
    const reference = (c: Container, hidden: ReadonlySet<string>, hostUrl: string | undefined, registries: ReadonlyMap<number, string>): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const f of CONTAINER_VIEW_FIELDS) {
        if (hidden.has(f)) continue;
        if (f === 'uuid') {
          out['uuid'] = c.uuid;
          if (hostUrl) out['links'] = [{ href: `${hostUrl}/v1/containers/${c.uuid}`, rel: 'self' }, { href: `${hostUrl}/containers/${c.uuid}`, rel: 'bookmark' }];
        } else if (f === 'created_at' || f === 'updated_at') out[f] = formatPyDateTime(c[f]);
        else if (f === 'registry_id') out[f] = c.registry_id === null ? null : (registries.get(c.registry_id) ?? null);
        else out[f] = c[f];
      }
      return out;
    };
    const registries = new Map([[3, 'reg-uuid-3']]);
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const rows = [container(), container({ registry_id: null, updated_at: null, name: 'a "quoted"\nname' }), container({ registry_id: 9, labels: { k: 'v' } })];
    for (let round = 0; round < 40; round++) {
      const hidden = new Set(CONTAINER_VIEW_FIELDS.filter(() => random() < 0.3));
      for (const hostUrl of [undefined, 'http://api:9517']) {
        for (const c of rows) {
          const got = containerView(c, hidden, hostUrl, registries);
          const want = reference(c, hidden, hostUrl, registries);
          assert.deepEqual(Object.keys(got), Object.keys(want), `keys, hidden ${[...hidden].join(',')}`);
          assert.equal(JSON.stringify(got), JSON.stringify(want));
        }
      }
      assert.equal(JSON.stringify(containerViews(rows, hidden, registries)), JSON.stringify(rows.map((c) => reference(c, hidden, undefined, registries))));
    }
    assert.equal(containerView(container({ registry_id: 3 }), new Set(), undefined, registries)['registry_id'], 'reg-uuid-3');
  });

  test('actions and events: ISO times with microseconds; tracebacks only when allowed', () => {
    const a = { id: 1, action: 'start', container_uuid: 'c', request_id: 'req-1', user_id: 'u', project_id: 'p', start_time: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), finish_time: null, message: null, created_at: new Date(), updated_at: null };
    assert.deepEqual(actionView(a), { action: 'start', container_uuid: 'c', request_id: 'req-1', user_id: 'u', project_id: 'p', start_time: '2024-01-02T03:04:05.006000', finish_time: null, message: null });
    const e = { id: 1, action_id: 1, event: 'compute__do_container_start', start_time: new Date(Date.UTC(2024, 0, 2)), finish_time: new Date(Date.UTC(2024, 0, 2, 0, 0, 1)), result: 'Error' as const, traceback: 'Traceback…', details: 'cn1', created_at: new Date(), updated_at: null };
    assert.deepEqual(eventView(e, true), { event: 'compute__do_container_start', start_time: '2024-01-02T00:00:00.000000', finish_time: '2024-01-02T00:00:01.000000', result: 'Error', traceback: 'Traceback…' });
    assert.equal(eventView(e, false)['traceback'], null);
  });
});

describe('container list body (shared rows, ADR 0024)', () => {
  const policy = new PolicyEnforcer();
  const member = hiddenContainerFields(policy, MEMBER, V1_40);
  const adminView = hiddenContainerFields(policy, ADMIN, V1_40);
  const old = hiddenContainerFields(policy, ADMIN, ApiVersion.parse('1.23') as ApiVersion);
  const registries = new Map([[3, 'reg-uuid-3']]);
  const shared = (over: Partial<Container> = {}): Readonly<Container> => Object.freeze(container(over));
  const page = (n: number, tag = 'p'): Readonly<Container>[] =>
    Array.from({ length: n }, (_v, i) => shared({ id: i + 1, uuid: `${tag}-${i}`, name: `${tag} "${i}"\u2713`, registry_id: i % 2 ? 3 : null }));
  /** What the list answered before: JSON.stringify of the views and the next link. */
  const reference = (rows: readonly Container[], hidden: ReadonlySet<string>, next: string | null, regs: ReadonlyMap<number, string> = registries): string =>
    JSON.stringify({ containers: containerViews(rows, hidden, regs), next });

  test('the bytes are those of JSON.stringify({containers, next}), for any view, next link and registries', () => {
    const rows = page(5, 'bytes');
    for (const hidden of [member, adminView, old]) {
      for (const next of [null, 'http://api:9517/v1/containers?sort_key=id&sort_dir=asc&limit=5&marker=bytes-4']) {
        for (const regs of [registries, new Map<number, string>()]) {
          const body = containerListBody(rows, hidden, next, regs);
          assert.equal(body.toString('utf8'), reference(rows, hidden, next, regs));
          assert.equal(containerListBody(rows, hidden, next, regs).toString('utf8'), reference(rows, hidden, next, regs), 'and again, from the caches');
        }
      }
    }
    assert.equal(containerListBody([], member, null).toString('utf8'), '{"containers":[],"next":null}');
    const mutable = [container({ uuid: 'm-1' }), container({ uuid: 'm-2', registry_id: null })];
    assert.equal(containerListBody(mutable, member, null, registries).toString('utf8'), reference(mutable, member, null));
  });

  test('the same row objects give the same Buffer; a changed row gives a new body', () => {
    const rows = page(4, 'same');
    const first = containerListBody(rows, member, null, registries);
    assert.equal(containerListBody([...rows], member, null, registries), first, 'a new array of the same objects: the same Buffer');
    assert.notEqual(containerListBody(rows, adminView, null, registries), first, 'another view: another body');
    // a row written since: listShared gives a new frozen object for it
    const changed = [...rows];
    changed[2] = shared({ ...rows[2], status: 'Stopped', status_detail: 'Exited (0)' });
    const second = containerListBody(changed, member, null, registries);
    assert.notEqual(second, first);
    assert.equal(second.toString('utf8'), reference(changed, member, null));
    assert.match(second.toString('utf8'), /"status":"Stopped"/);
    // a registry that went (its uuid now unknown) changes the body though the rows did not
    const gone = containerListBody(changed, member, null, new Map());
    assert.notEqual(gone, second);
    assert.equal(gone.toString('utf8'), reference(changed, member, null, new Map()));
  });

  test('rows that are not frozen are rendered every time', () => {
    const rows = [container({ uuid: 'live-1' })];
    const first = containerListBody(rows, member, null);
    rows[0]!.status = 'Paused';
    const second = containerListBody(rows, member, null);
    assert.notEqual(second, first);
    assert.match(second.toString('utf8'), /"status":"Paused"/);
  });

  test('the page cache stays within its bounds', () => {
    for (let i = 0; i < LIST_BODY_CACHE.maxPages + 50; i++) containerListBody(page(2, `bound-${i}`), member, null);
    const stats = listBodyCacheStats();
    assert.ok(stats.pages <= LIST_BODY_CACHE.maxPages, `${stats.pages} pages`);
    assert.ok(stats.bytes <= LIST_BODY_CACHE.maxBytes);
  });
});
