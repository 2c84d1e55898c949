import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Container } from 'inversify';
import { deserializeError, LOGGER, NoValidHost, RequestedHostNotFound, serializeError, type Logger } from '@zun-ts/common';
import { ZUN_CONF } from '@zun-ts/config';
import { type HostState, type ScheduleRequest } from './host-state';
import { FilterScheduler } from './filter-scheduler';
import { AVAILABLE_HOST_FILTERS, HOST_FILTER, type HostFilter } from './filters';
import { fakeConf, fakeHost, fakeRequest, fakeService } from '../tests/fixtures/host-state';

interface LogLine { level: string; msg: string; meta: Record<string, unknown> | undefined }

function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (msg: string, meta?: Record<string, unknown>): void => { lines.push({ level, msg, meta }); };
  const l: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => l };
  return l;
}

/** A filter passing the hosts whose name is in `pass`, recording the order it ran in. */
function stubFilter(name: string, pass: string[] | 'all', calls: string[] = []): HostFilter {
  return {
    name,
    runOncePerRequest: false,
    hostPasses: (h: HostState, _r: ScheduleRequest) => {
      calls.push(name);
      return pass === 'all' || pass.includes(h.hostname);
    },
  };
}

function scheduler(filters: HostFilter[], enabled: string[], lines: LogLine[] = []): FilterScheduler {
  const s = new FilterScheduler(filters, fakeConf({ enabled_filters: enabled }), recordingLogger(lines));
  s.random = () => 0;
  return s;
}

const hosts = ['n1', 'n2', 'n3'].map((hostname, i) => fakeHost({ hostname, mem_total: 1024 * (i + 1), mem_used: 0 }));

describe('FilterScheduler construction', () => {
  test('orders the filters by enabled_filters and leaves out the others', () => {
    const [a, b, c] = [stubFilter('A', 'all'), stubFilter('B', 'all'), stubFilter('C', 'all')];
    assert.deepEqual(scheduler([a, b, c], ['C', 'A']).filters.map((f) => f.name), ['C', 'A']);
  });

  test('an unknown name in enabled_filters stops construction, naming it', () => {
    assert.throws(() => scheduler([stubFilter('A', 'all')], ['A', 'JsonFilter', 'Nope']),
      (e: unknown) => e instanceof Error && /JsonFilter, Nope/.test(e.message) && /available: A/.test(e.message));
  });

  test('inversify injects every HOST_FILTER binding (explicit decorators, no metadata)', () => {
    const c = new Container({ defaultScope: 'Singleton' });
    c.bind(ZUN_CONF).toConstantValue(fakeConf());
    c.bind(LOGGER).toConstantValue(recordingLogger([]));
    for (const cls of AVAILABLE_HOST_FILTERS) c.bind<HostFilter>(HOST_FILTER).to(cls);
    c.bind(FilterScheduler).toSelf();
    const s = c.get(FilterScheduler);
    assert.deepEqual(s.filters.map((f) => f.name), fakeConf().scheduler.enabled_filters);
  });
});

describe('FilterScheduler.selectHosts', () => {
  test('runs the filters in configured order; a host must pass all of them', () => {
    const calls: string[] = [];
    const s = scheduler([stubFilter('A', ['n1', 'n2'], calls), stubFilter('B', ['n2', 'n3'], calls)], ['B', 'A']);
    assert.deepEqual(s.selectHosts(hosts, fakeRequest()).map((h) => h.hostname), ['n2']);
    // Host by host: n1 fails B (A is not asked), n2 and n3 pass B and go on to A.
    assert.deepEqual(calls, ['B', 'B', 'A', 'B', 'A']);
  });

  test('logs the surviving host count after each filter', () => {
    const lines: LogLine[] = [];
    const s = scheduler([stubFilter('A', ['n1', 'n2']), stubFilter('B', ['n2'])], ['A', 'B'], lines);
    s.selectHosts(hosts, fakeRequest());
    assert.deepEqual(lines.filter((l) => l.msg === 'filter returned hosts').map((l) => l.meta),
      [{ filter: 'A', hosts: 2 }, { filter: 'B', hosts: 1 }]);
  });

  test('orders the candidates by free memory, most first', () => {
    const s = scheduler([stubFilter('A', 'all')], ['A']);
    assert.deepEqual(s.selectHosts(hosts, fakeRequest()).map((h) => h.hostname), ['n3', 'n2', 'n1']);
  });

  test('NoValidHost when a filter removes every host, naming that filter in the log', () => {
    const lines: LogLine[] = [];
    const calls: string[] = [];
    const s = scheduler([stubFilter('A', ['n1']), stubFilter('B', []), stubFilter('C', 'all', calls)], ['A', 'B', 'C'], lines);
    assert.throws(() => s.selectHosts(hosts, fakeRequest()), (e: unknown) =>
      e instanceof NoValidHost && e.message === 'No valid host was found. There are not enough hosts available.' && e.status === 500);
    assert.deepEqual(calls, [], 'filters after an empty result do not run');
    const removed = lines.find((l) => l.msg === 'filter removed every host');
    assert.equal(removed?.level, 'info');
    assert.deepEqual(removed?.meta, { filter: 'B', trail: [{ filter: 'A', hosts: 1 }, { filter: 'B', hosts: 0 }] });
  });

  test('a disk request on hosts without disk quota support: NoValidHost, each host logged with the reason', () => {
    const lines: LogLine[] = [];
    const conf = fakeConf({ enabled_filters: ['DiskFilter'] });
    const filters = AVAILABLE_HOST_FILTERS.map((cls) => new cls(conf as never));
    const s = new FilterScheduler(filters, conf, recordingLogger(lines));
    const pool = [fakeHost({ hostname: 'ext4', disk_quota_supported: false }), fakeHost({ hostname: 'xfs', disk_quota_supported: true })];
    assert.deepEqual(s.selectHosts(pool, fakeRequest({ disk: 1 })).map((h) => h.hostname), ['xfs']);
    assert.throws(() => s.selectHosts([pool[0]!], fakeRequest({ disk: 1 })), NoValidHost);
    const rejected = lines.filter((l) => l.msg === 'host rejected').map((l) => l.meta);
    assert.equal(rejected.length, 2);
    assert.equal(rejected[0]?.host, 'ext4');
    assert.equal(rejected[0]?.filter, 'DiskFilter');
    assert.match(String(rejected[0]?.reason), /cannot enforce a disk size/);
    assert.deepEqual(s.selectHosts([pool[0]!], fakeRequest({ disk: 0 })).map((h) => h.hostname), ['ext4'], 'no disk asked: any host');
  });

  test('NoValidHost when there are no hosts at all', () => {
    assert.throws(() => scheduler([stubFilter('A', 'all')], ['A']).selectHosts([], fakeRequest()), NoValidHost);
  });

  test('ignore_hosts removes hosts already tried', () => {
    const s = scheduler([stubFilter('A', 'all')], ['A']);
    assert.deepEqual(s.selectHosts(hosts, fakeRequest({ ignore_hosts: ['n3', 'n1'] })).map((h) => h.hostname), ['n2']);
    assert.throws(() => s.selectHosts(hosts, fakeRequest({ ignore_hosts: ['n1', 'n2', 'n3'] })), NoValidHost);
  });

  test('a requested host restricts the candidates to it, then the filters still apply', () => {
    const lines: LogLine[] = [];
    const s = scheduler([stubFilter('A', ['n1', 'n2'])], ['A'], lines);
    assert.deepEqual(s.selectHosts(hosts, fakeRequest({ requested_host: 'n1' })).map((h) => h.hostname), ['n1']);
    assert.deepEqual(lines.filter((l) => l.msg === 'filter returned hosts')[0]?.meta, { filter: 'RequestedHostFilter', hosts: 1 });
    assert.throws(() => s.selectHosts(hosts, fakeRequest({ requested_host: 'n3' })), NoValidHost);
  });

  test('volume_hosts: always applied, whatever enabled_filters says; its reason is logged for each rejected host', () => {
    const lines: LogLine[] = [];
    const calls: string[] = [];
    const s = scheduler([stubFilter('A', 'all', calls)], ['A'], lines);
    assert.deepEqual(s.selectHosts(hosts, fakeRequest({ volume_hosts: ['n2'] })).map((h) => h.hostname), ['n2']);
    assert.deepEqual(lines.filter((l) => l.msg === 'filter returned hosts').map((l) => l.meta),
      [{ filter: 'VolumeHostFilter', hosts: 1 }, { filter: 'A', hosts: 1 }]);
    assert.deepEqual(lines.filter((l) => l.msg === 'host rejected').map((l) => [l.meta?.host, l.meta?.filter, l.meta?.reason]),
      [['n1', 'VolumeHostFilter', "the container's volumes are on host n2"], ['n3', 'VolumeHostFilter', "the container's volumes are on host n2"]]);
    assert.deepEqual(calls, ['A'], 'the configured filters see only the volume host');
  });

  test('volume_hosts: volumes on different hosts, or on a host already tried, leave no host', () => {
    const lines: LogLine[] = [];
    const s = scheduler([stubFilter('A', 'all')], ['A'], lines);
    assert.throws(() => s.selectHosts(hosts, fakeRequest({ volume_hosts: ['n1', 'n3'] })), NoValidHost);
    assert.equal(lines.find((l) => l.msg === 'filter removed every host')?.meta?.filter, 'VolumeHostFilter');
    assert.throws(() => s.selectHosts(hosts, fakeRequest({ volume_hosts: ['n1'], ignore_hosts: ['n1'] })), NoValidHost);
    assert.throws(() => s.selectHosts(hosts, fakeRequest({ volume_hosts: ['n1'], requested_host: 'n2' })), NoValidHost);
  });

  test('VolumeHostFilter cannot be named in enabled_filters: it is not optional', () => {
    assert.throws(() => scheduler([stubFilter('A', 'all')], ['A', 'VolumeHostFilter']), /unknown filter\(s\) VolumeHostFilter/);
  });

  test('an unknown requested host is a 404 RequestedHostNotFound', () => {
    const s = scheduler([stubFilter('A', 'all')], ['A']);
    assert.throws(() => s.selectHosts(hosts, fakeRequest({ requested_host: 'ghost' })), (e: unknown) =>
      e instanceof RequestedHostNotFound && e.status === 404 && e.message === 'Requested host ghost could not be found.');
  });

  test('with the real default filters: resources, zone, labels and service state decide', () => {
    const conf = fakeConf({ ram_allocation_ratio: 1, cpu_allocation_ratio: 1 });
    const filters = AVAILABLE_HOST_FILTERS.map((cls) => new cls(conf as never));
    const s = new FilterScheduler(filters, conf, recordingLogger([]));
    const pool = [
      fakeHost({ hostname: 'full', mem_total: 1024, mem_used: 1000 }),
      fakeHost({ hostname: 'down', service: fakeService({ host: 'down', last_seen_up: new Date(0), created_at: new Date(0) }) }),
      fakeHost({ hostname: 'gpu', labels: { type: 'gpu' } }),
      fakeHost({ hostname: 'gpu-az2', labels: { type: 'gpu' }, availability_zone: 'az2' }),
      fakeHost({ hostname: 'plain' }),
    ];
    const pick = (r: Partial<ScheduleRequest>): string[] => s.selectHosts(pool, fakeRequest(r)).map((h) => h.hostname).sort();
    assert.deepEqual(pick({ memory: 512 }), ['gpu', 'gpu-az2', 'plain']);
    assert.deepEqual(pick({ memory: 512, hints: { 'label:type': 'gpu' } }), ['gpu', 'gpu-az2']);
    assert.deepEqual(pick({ hints: { 'label:type': 'gpu' }, availability_zone: 'az2' }), ['gpu-az2']);
    assert.throws(() => pick({ runtime: 'kata' }), NoValidHost);
  });
});

describe('scheduler errors over RPC', () => {
  test('NoValidHost and RequestedHostNotFound are rebuilt typed with their message', () => {
    const nvh = deserializeError(serializeError(new NoValidHost()));
    assert.ok(nvh instanceof NoValidHost);
    assert.equal(nvh.message, 'No valid host was found. There are not enough hosts available.');
    const rhnf = deserializeError(serializeError(new RequestedHostNotFound('h9')));
    assert.ok(rhnf instanceof RequestedHostNotFound);
    assert.equal(rhnf.message, 'Requested host h9 could not be found.');
    assert.equal(rhnf.status, 404);
  });
});
