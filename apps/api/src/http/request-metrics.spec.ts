import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { metricsRegistry } from '@zun-ts/metrics';
import { markRoute, measureRequest } from './request-metrics';

async function count(route: string, method: string, status: string): Promise<number> {
  const line = `zun_http_requests_total{route="${route}",method="${method}",status="${status}"} `;
  const hit = (await metricsRegistry.metrics()).split('\n').find((l) => l.startsWith(line));
  return hit ? Number(hit.slice(line.length)) : 0;
}

void describe('HTTP request metrics', () => {
  let server: Server;
  let base = '';
  before(async () => {
    // A route table in miniature: /v1/containers/:ident is marked, anything else is not.
    server = createServer((req, res) => {
      measureRequest(req, res);
      const m = /^\/v1\/containers\/([^/?]+)$/.exec(req.url ?? '');
      if (m) {
        markRoute(req, '/v1/containers/:ident');
        res.writeHead(req.method === 'DELETE' ? 204 : 200).end();
        return;
      }
      res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('counted once per request by route template, method and status; raw paths never become labels', async () => {
    const uuid = '6f1c3e0a-1d2b-4c5d-8e9f-0a1b2c3d4e5f';
    const [gets, deletes, unmatched] = await Promise.all([count('/v1/containers/:ident', 'GET', '200'), count('/v1/containers/:ident', 'DELETE', '204'), count('unmatched', 'GET', '404')]);
    await (await fetch(`${base}/v1/containers/${uuid}`)).arrayBuffer();
    await (await fetch(`${base}/v1/containers/other-name`)).arrayBuffer();
    await (await fetch(`${base}/v1/containers/${uuid}`, { method: 'DELETE' })).arrayBuffer();
    await (await fetch(`${base}/v1/nothing/${uuid}`)).arrayBuffer();
    assert.equal(await count('/v1/containers/:ident', 'GET', '200'), gets + 2);
    assert.equal(await count('/v1/containers/:ident', 'DELETE', '204'), deletes + 1);
    assert.equal(await count('unmatched', 'GET', '404'), unmatched + 1);
    const text = await metricsRegistry.metrics();
    assert.doesNotMatch(text, new RegExp(uuid));
    assert.doesNotMatch(text, /other-name/);
    assert.match(text, /^zun_http_request_duration_seconds_count\{route="\/v1\/containers\/:ident",method="GET",status="200"\} \d+$/m);
  });
});
