// GET /v1/openapi.json on the API with real Keystone tokens (dev stack's Keystone, real Redis RPC, a SQLite file):
// served without a token, the same document the route table gives, and its example request bodies, sent with a
// token, are accepted by the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_AUTH_ENCRYPTION_KEY } from '@zun-ts/testing';
import { routeTable } from './fixtures/fuzz/route-catalogue';
import { type Identity, startTenancyEnv, type TenancyEnv } from './fixtures/tenancy-env';
import { openApiDocument } from '../src/v1/openapi/openapi.document';

type Json = Record<string, unknown>;

/** The example body of an operation of the served document. */
function example(doc: Json, method: string, path: string): Json {
  const op = (doc['paths'] as Record<string, Record<string, Json>>)[path]?.[method];
  const media = ((op?.['requestBody'] as Json | undefined)?.['content'] as Json | undefined)?.['application/json'] as Json | undefined;
  const ex = media?.['example'];
  assert.ok(ex && typeof ex === 'object', `${method} ${path} has an example body`);
  return ex as Json;
}

describe('GET /v1/openapi.json with real Keystone', () => {
  let env: TenancyEnv;
  let doc: Json;

  before(async () => {
    env = await startTenancyEnv([`--auth_encryption_key=${TEST_AUTH_ENCRYPTION_KEY}`]);
  });
  after(async () => {
    await env?.close();
  });

  test('is served without a token, as JSON, and is the document of the route table', async () => {
    const r = await fetch(`${env.api.url}/v1/openapi.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    doc = (await r.json()) as Json;
    assert.equal(doc['openapi'], '3.1.0');
    assert.deepEqual(doc['servers'], [{ url: env.api.url }]);
    const expected = JSON.parse(JSON.stringify(openApiDocument(routeTable(env.db), env.api.url))) as Json;
    assert.deepEqual(doc, expected);
    // Only the document is public: the routes it describes still want a token.
    const denied = await fetch(`${env.api.url}/v1/containers`);
    assert.equal(denied.status, 401);
    const bad = await fetch(`${env.api.url}/v1/openapi.json`, { method: 'POST' });
    assert.equal(bad.status, 405);
  });

  test('the example bodies are accepted by the API', async () => {
    if (!doc) doc = (await (await fetch(`${env.api.url}/v1/openapi.json`)).json()) as Json;
    const send = async (who: Identity, method: string, path: string, docPath: string): Promise<Json> => {
      const body = example(doc, method, docPath);
      const r = await env.request(who, method.toUpperCase(), path, { body });
      assert.ok(r.status >= 200 && r.status < 300, `${method} ${docPath}: ${r.status} ${r.text}`);
      return { ...(r.body as Json), _status: r.status };
    };
    const container = await send(env.demo, 'post', '/v1/containers', '/v1/containers');
    assert.equal(container['_status'], 202);
    assert.equal(container['name'], 'hello');
    assert.deepEqual(container['command'], ['echo', 'hello']);

    const volume = await send(env.demo, 'post', '/v1/volumes', '/v1/volumes');
    assert.equal(volume['_status'], 202);
    assert.equal(volume['size'], 1);

    const registry = await send(env.demo, 'post', '/v1/registries', '/v1/registries');
    assert.equal((registry['registry'] as Json)['domain'], 'registry.example.org:5000');

    await send(env.admin, 'put', `/v1/quotas/${env.demo.projectId}`, '/v1/quotas/{projectId}');
    const quota = await env.request(env.demo, 'GET', `/v1/quotas/${env.demo.projectId}`);
    assert.equal(quota.status, 200, quota.text);
    assert.equal((quota.body as Json)['containers'], 10);
    assert.equal((quota.body as Json)['memory'], 4096);

    // And the schema the document shows is the one the API enforces: a field it does not list is refused.
    const refused = await env.request(env.demo, 'POST', '/v1/volumes', { body: { ...example(doc, 'post', '/v1/volumes'), colour: 'red' } });
    assert.equal(refused.status, 400, refused.text);
  });
});
