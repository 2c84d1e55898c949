import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelSets, metricValue, parsePrometheusText } from './prometheus-text';

const TEXT = `# HELP zun_http_requests_total HTTP requests.
# TYPE zun_http_requests_total counter
zun_http_requests_total{route="/v1/containers",method="POST",status="202"} 3
zun_http_requests_total{route="/v1/containers/:container_ident",method="DELETE",status="204"} 2
zun_http_request_duration_seconds_bucket{le="+Inf",route="a \\"b\\"",method="GET",status="200"} 7
zun_process_start_time_seconds 1700000000
zun_nodejs_eventloop_lag_mean_seconds Nan

up 1 1700000000000
`;

void describe('parsePrometheusText', () => {
  void test('samples with their labels (escapes undone) and values, comments skipped', () => {
    const s = parsePrometheusText(TEXT);
    assert.equal(s.length, 6);
    assert.ok(Number.isNaN(s[4]?.value));
    assert.deepEqual(s[0], { name: 'zun_http_requests_total', labels: { route: '/v1/containers', method: 'POST', status: '202' }, value: 3 });
    assert.equal(s[2]?.labels['route'], 'a "b"');
    assert.equal(s[2]?.labels['le'], '+Inf');
    assert.deepEqual(s[5], { name: 'up', labels: {}, value: 1 });
  });

  void test('metricValue sums the matching series; labelSets counts a histogram\'s buckets, sum and count as one set', () => {
    const s = parsePrometheusText(TEXT);
    assert.equal(metricValue(s, 'zun_http_requests_total'), 5);
    assert.equal(metricValue(s, 'zun_http_requests_total', { method: 'DELETE' }), 2);
    assert.equal(metricValue(s, 'zun_http_requests_total', { method: 'PUT' }), 0);
    assert.deepEqual([...labelSets(s, 'zun_http_')].length, 3);
    const h = parsePrometheusText('zun_h_bucket{op="a",le="1"} 1\nzun_h_bucket{op="a",le="+Inf"} 1\nzun_h_sum{op="a"} 0.5\nzun_h_count{op="a"} 1\nzun_h_count{op="b"} 1\n');
    assert.deepEqual([...labelSets(h, 'zun_')], ['zun_h [["op","a"]]', 'zun_h [["op","b"]]']);
  });

  void test('a malformed line is an error, not a silent skip', () => {
    assert.throws(() => parsePrometheusText('zun_x{a="1" 2\n'), /malformed|not a Prometheus/);
    assert.throws(() => parsePrometheusText('zun_x abc\n'), /bad value/);
  });
});
