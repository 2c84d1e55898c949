// Every service's Prometheus endpoint on a whole Zun (real Redis, SQLite, Docker; api, conductor, scheduler,
// compute and wsproxy as deployed): the counters a run, an exec, a console session and a delete move, by exactly
// their amount, and label sets that do not grow with the number of containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSets, metricValue, type MetricSample, scrapeMetrics, uniqueName, waitFor } from '@zun-ts/testing';
import { mustOpen } from './fixtures/console-client';
import { ConsoleStack } from './fixtures/console-stack';

const APPS = ['api', 'conductor', 'scheduler', 'compute', 'wsproxy'] as const;
type App = (typeof APPS)[number];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** How many containers the cardinality check makes (and removes). */
const MANY = Number(process.env['ZUN_TEST_METRICS_CONTAINERS'] ?? 50);

describe('metrics endpoints of every service', () => {
  let stack: ConsoleStack;
  const scrape = (app: App): Promise<MetricSample[]> => scrapeMetrics(stack.metricsUrl(app));
  const scrapeAll = async (): Promise<Record<App, MetricSample[]>> => {
    const all = await Promise.all(APPS.map((a) => scrape(a)));
    return Object.fromEntries(APPS.map((a, i) => [a, all[i]])) as Record<App, MetricSample[]>;
  };

  before(async () => {
    stack = await ConsoleStack.start({ metrics: true });
  });
  after(async () => {
    await stack?.stop();
  });

  async function deleteContainer(uuid: string): Promise<void> {
    const r = await stack.api('DELETE', `/v1/containers/${uuid}?force=true`);
    assert.equal(r.status, 204, r.text);
    await waitFor(async () => (await stack.api('GET', `/v1/containers/${uuid}`)).status === 404, { what: `container ${uuid} gone`, timeoutMs: 60_000, intervalMs: 300 });
    stack.uuids.delete(uuid);
  }

  test('each service answers GET /metrics in the text format with Node process metrics; other paths are 404', async () => {
    for (const app of APPS) {
      const samples = await scrape(app);
      assert.ok(metricValue(samples, 'zun_process_cpu_user_seconds_total') > 0, `${app}: process CPU time`);
      assert.ok(metricValue(samples, 'zun_process_resident_memory_bytes') > 0, `${app}: resident memory`);
      assert.ok(samples.every((s) => s.name.startsWith('zun_')), `${app}: every name has the zun_ prefix`);
      assert.equal((await fetch(stack.metricsUrl(app).replace(/\/metrics$/, '/other'))).status, 404, app);
    }
    // Each family shows up where its code runs, not in every service.
    assert.ok((await scrape('wsproxy')).some((s) => s.name === 'zun_wsproxy_console_sessions'));
    assert.ok(!(await scrape('compute')).some((s) => s.name.startsWith('zun_http_')), 'compute serves no HTTP API metrics');
  });

  test('a run, an exec, a console session and a delete move each counter by its amount', async () => {
    const was = await scrapeAll();
    const name = uniqueName('met');
    const uuid = await stack.runContainer({ name, command: ['cat'] });

    const exec = await stack.api('POST', `/v1/containers/${uuid}/execute?run=true&command=${encodeURIComponent('echo hi')}`);
    assert.equal(exec.status, 200, exec.text);

    const c = await mustOpen(await stack.attachUrl(uuid));
    const open = await scrape('wsproxy');
    assert.equal(metricValue(open, 'zun_wsproxy_console_sessions') - metricValue(was.wsproxy, 'zun_wsproxy_console_sessions'), 1, 'one session open');
    c.send('hello\n');
    await c.until((b) => b.length >= 6, 'the echo');
    await c.close();
    await waitFor(async () => metricValue(await scrape('wsproxy'), 'zun_wsproxy_console_sessions') === metricValue(was.wsproxy, 'zun_wsproxy_console_sessions'), { what: 'the session to be closed' });

    await deleteContainer(uuid);
    const now = await scrapeAll();
    const moved = (app: App, metric: string, labels: Record<string, string> = {}): number =>
      metricValue(now[app], metric, labels) - metricValue(was[app], metric, labels);

    // zun-api: by route template, never the container's uuid or name.
    assert.equal(moved('api', 'zun_http_requests_total', { route: '/v1/containers', method: 'POST', status: '202' }), 1);
    assert.equal(moved('api', 'zun_http_requests_total', { route: '/v1/containers/:ident/execute', method: 'POST', status: '200' }), 1);
    assert.equal(moved('api', 'zun_http_requests_total', { route: '/v1/containers/:ident', method: 'DELETE', status: '204' }), 1);
    assert.equal(moved('api', 'zun_http_request_duration_seconds_count', { route: '/v1/containers', method: 'POST', status: '202' }), 1);
    assert.equal(moved('api', 'zun_rpc_client_requests_total', { topic: 'conductor', method: 'buildContainer', kind: 'cast', outcome: 'ok' }), 1);
    assert.equal(moved('api', 'zun_rpc_client_requests_total', { topic: 'compute', method: 'containerExec', kind: 'call', outcome: 'ok' }), 1);
    // zun-conductor: one build, ended Running, timed from the API's acceptance.
    assert.equal(moved('conductor', 'zun_conductor_builds_total', { outcome: 'running' }), 1);
    assert.equal(moved('conductor', 'zun_conductor_builds_total'), 1, 'no other build outcome');
    assert.equal(moved('conductor', 'zun_conductor_build_to_running_seconds_count'), 1);
    assert.ok(moved('conductor', 'zun_conductor_build_to_running_seconds_sum') > 0);
    assert.equal(moved('conductor', 'zun_rpc_server_requests_total', { topic: 'conductor', method: 'buildContainer', outcome: 'ok' }), 1);
    // zun-scheduler: one decision.
    assert.equal(moved('scheduler', 'zun_scheduler_decisions_total', { outcome: 'selected' }), 1);
    assert.equal(moved('scheduler', 'zun_rpc_server_requests_total', { topic: 'scheduler', method: 'selectDestinations', outcome: 'ok' }), 1);
    // zun-compute: one engine create, one exec, one delete.
    assert.equal(moved('compute', 'zun_rpc_server_requests_total', { topic: 'compute', method: 'containerCreate', outcome: 'ok' }), 1);
    assert.equal(moved('compute', 'zun_compute_docker_operation_duration_seconds_count', { operation: 'create', outcome: 'ok' }), 1);
    assert.equal(moved('compute', 'zun_compute_docker_operation_duration_seconds_count', { operation: 'execute', outcome: 'ok' }), 1);
    assert.equal(moved('compute', 'zun_compute_docker_operation_duration_seconds_count', { operation: 'delete', outcome: 'ok' }), 1);
    assert.ok(moved('compute', 'zun_compute_event_lag_seconds_count', { type: 'start' }) >= 1, 'the start event was seen');
    // zun-wsproxy: one session, its bytes both ways.
    assert.equal(moved('wsproxy', 'zun_wsproxy_console_sessions_total'), 1);
    assert.equal(moved('wsproxy', 'zun_wsproxy_console_bytes_total', { direction: 'to_container' }), 6);
    assert.ok(moved('wsproxy', 'zun_wsproxy_console_bytes_total', { direction: 'to_client' }) >= 6);
    // The queues are drained: nothing waits.
    assert.equal(metricValue(now.conductor, 'zun_rpc_queue_depth', { topic: 'conductor' }), 0);
    assert.equal(metricValue(now.compute, 'zun_rpc_queue_depth', { topic: 'compute' }), 0);
  });

  test(`label sets stay bounded: ${MANY} containers add no label set per container, and no label holds a uuid or host`, async () => {
    const batch = async (n: number): Promise<string[]> => {
      const uuids: string[] = [];
      for (let i = 0; i < n; i += 10) {
        const made = await Promise.all(
          Array.from({ length: Math.min(10, n - i) }, async (_, j) => {
            const r = await stack.api('POST', '/v1/containers', { name: uniqueName(`card${i + j}`), image: 'busybox', command: ['true'], cpu: 0.1, memory: '32' });
            assert.equal(r.status, 202, `create: ${r.text}`);
            const uuid = (r.body as { uuid: string }).uuid;
            stack.uuids.add(uuid);
            return uuid;
          }),
        );
        uuids.push(...made);
      }
      for (const u of uuids) await stack.waitStatus(u, 'Created', 120_000);
      for (let i = 0; i < uuids.length; i += 10) await Promise.all(uuids.slice(i, i + 10).map((u) => deleteContainer(u)));
      return uuids;
    };
    // Label sets, not series: a histogram's first sample of a label set brings a dozen series (its buckets, sum and
    // count) at once, which says nothing about growth with the number of containers.
    const count = (all: Record<App, MetricSample[]>): number =>
      APPS.reduce((n, app) => n + labelSets(all[app].filter((s) => !/^zun_(process|nodejs)_/.test(s.name)), 'zun_').size, 0);

    await batch(2);
    const few = await scrapeAll();
    const uuids = await batch(MANY);
    const many = await scrapeAll();
    assert.equal(metricValue(many.conductor, 'zun_conductor_builds_total', { outcome: 'created' }) - metricValue(few.conductor, 'zun_conductor_builds_total', { outcome: 'created' }), MANY);
    // The same operations again, many times over: at most a few new label sets (a first-seen outcome), never one per container.
    const added = count(many) - count(few);
    assert.ok(added < 10, `${added} label sets appeared for ${MANY} containers`);
    for (const app of APPS) {
      for (const s of many[app]) {
        for (const [label, value] of Object.entries(s.labels)) {
          const where = `${app}: ${s.name}{${label}="${value}"}`;
          assert.ok(!UUID.test(value), `${where} holds a uuid`);
          assert.ok(!value.includes(stack.host), `${where} holds the host name`);
          assert.ok(!uuids.some((u) => value.includes(u.slice(0, 8))), `${where} holds part of a container uuid`);
        }
      }
    }
  });
});
