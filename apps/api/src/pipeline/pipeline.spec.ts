import 'reflect-metadata';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@zun-ts/common';
import { samplePolicyYaml } from '@zun-ts/policy';
import { createApiContainer } from '../main';
import { FakeServiceStore } from '../../tests/fixtures/fake-service.store';
import { type RequestHandler } from 'express';
import { type MiddlewareOptions, PLUGIN_API_VERSION } from '@zun-ts/plugin-api';
import { checkPlugin, PluginRegistry } from '@zun-ts/plugin-host';
import { listen, startTestApi, testConf } from '../../tests/fixtures/test-api';
import { DEFAULT_API_PASTE, interpolate, parsePasteConfig } from './paste-config';
import { loadPasteConfig } from './paste-loader';
import { PipelineBuilder } from './pipeline.builder';

/** A plug-in for these tests: `tag` appends its `tag` option to X-Tags; `broken` refuses any options. */
function registry(): PluginRegistry {
  const plugin = checkPlugin({
    name: 'test',
    apiVersion: PLUGIN_API_VERSION,
    middleware: {
      tag: (options: MiddlewareOptions): RequestHandler => (_req, res, next) => {
        const before = res.getHeader('x-tags');
        res.setHeader('x-tags', before ? `${String(before)},${options['tag']}` : (options['tag'] ?? ''));
        next();
      },
      broken: () => {
        throw new Error('needs colour');
      },
    },
  }, 'inline', () => ({ host: 'h', logger: silentLogger() }));
  return new PluginRegistry([plugin]);
}

function builder(plugins: PluginRegistry = PluginRegistry.empty()): PipelineBuilder {
  return createApiContainer(testConf(['--api.auth_strategy=noauth']), silentLogger(), new FakeServiceStore(), { plugins }).get(PipelineBuilder);
}

describe('api-paste.ini', () => {
  test('etc/api-paste.ini is the built-in default', () => {
    const shipped = readFileSync(join(__dirname, '..', '..', 'etc', 'api-paste.ini'), 'utf8');
    assert.equal(shipped, DEFAULT_API_PASTE);
  });

  test('etc/policy.yaml.sample lists the current defaults', () => {
    const shipped = readFileSync(join(__dirname, '..', '..', 'etc', 'policy.yaml.sample'), 'utf8');
    assert.equal(shipped, samplePolicyYaml());
  });

  test('the shipped file: urlmap, then the pipeline of the auth strategy', () => {
    const p = parsePasteConfig(DEFAULT_API_PASTE, 'x');
    assert.equal(p.composites.get('main')?.use, 'urlmap');
    assert.deepEqual(p.composites.get('main')?.options, { '/': 'zun_api', '/v1': 'zun_api', '/healthcheck': 'healthcheck', '/dashboard': 'dashboard' });
    assert.deepEqual(p.pipelines.get('dashboard'), ['request_id', 'http_proxy_to_wsgi', 'faultwrap', 'sizelimit', 'dashboard_app']);
    assert.equal(p.apps.get('dashboard_app')?.options['use'], 'dashboard');
    assert.equal(p.composites.get('zun_api')?.options['keystone'], 'request_id cors http_proxy_to_wsgi faultwrap sizelimit authtoken context v1');
    assert.equal(p.composites.get('zun_api')?.options['noauth'], 'request_id cors http_proxy_to_wsgi faultwrap sizelimit noauth context v1');
    assert.equal(p.filters.get('authtoken')?.options['acl_public_routes'], '/, /v1, /v1/openapi.json');
  });

  test('continuation lines, comments, paste.* keys', () => {
    const p = parsePasteConfig('[pipeline:main]\npipeline = a b\n   c d\n# x\n[filter:a]\npaste.filter_factory = py:thing\nuse = request_id\nk: v\n', 'f');
    assert.deepEqual(p.pipelines.get('main'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(p.filters.get('a')?.options, { use: 'request_id', k: 'v' });
    assert.equal(p.filters.get('a')?.factory, 'py:thing');
  });

  test('syntax errors are ConfigErrors naming the file and the section', () => {
    assert.throws(() => parsePasteConfig('pipeline = a\n', 'my.ini'), /my\.ini: line 1/);
    assert.throws(() => parsePasteConfig('[pipeline:main]\n', 'my.ini'), /\[pipeline:main\] needs "pipeline = /);
    assert.throws(() => parsePasteConfig('[weird:x]\na = b\n', 'my.ini'), /unknown section type "weird" in \[weird:x\]/);
    assert.throws(() => parsePasteConfig('[filter-app:x]\nuse = cors\n', 'my.ini'), /\[filter-app:x\] needs "next = <app>"/);
    assert.throws(() => parsePasteConfig('[composite:x]\n/ = a\n', 'my.ini'), /\[composite:x\] needs "use = urlmap"/);
    assert.throws(() => parsePasteConfig('[app:x]\nuse = v1\n[pipeline:x]\npipeline = v1\n', 'my.ini'), /\[pipeline:x\] and \[app:x\] have one name/);
  });
});

describe('interpolation', () => {
  test('%(here)s, [DEFAULT] keys and the section\'s own keys; %% is a percent sign', () => {
    const p = parsePasteConfig('[DEFAULT]\nteam = blue\nstate = %(here)s/state\n[filter:tag]\nuse = x\nname = %(team)s-%(kind)s\nkind = red\nfile = %(state)s/off\npct = 100%%\n', 'api-paste.ini', '/etc/zun');
    assert.deepEqual(p.filters.get('tag')?.options, { use: 'x', name: 'blue-red', kind: 'red', file: '/etc/zun/state/off', pct: '100%' });
    assert.equal(p.defaults['here'], '/etc/zun');
    assert.equal(p.defaults['team'], 'blue');
    assert.equal(interpolate('%(a)s', { a: '%(b)s', b: 'c' }), 'c');
  });

  test('an unknown name is an error naming the section and the key', () => {
    assert.throws(() => parsePasteConfig('[filter:tag]\nname = %(nope)s\n', 'my.ini', '/d'), /my\.ini: \[filter:tag\] name: unknown %\(nope\)s \(known: __file__, here, name\)/);
  });
});

describe('PipelineBuilder', () => {
  test('an unknown filter name stops start-up, listing the known ones and naming the section', () => {
    const paste = parsePasteConfig('[pipeline:noauth]\npipeline = request_id osprofiler noauth context v1\n', 'api-paste.ini');
    assert.throws(() => builder().build(paste, 'noauth'), (e: unknown) => {
      assert.ok(e instanceof Error && e.name === 'ConfigError');
      assert.match(e.message, /api-paste\.ini \[pipeline:noauth\]: unknown filter "osprofiler"/);
      assert.match(e.message, /known filters: .*request_id.*authtoken/);
      return true;
    });
  });

  test('the app must come last, and only there', () => {
    const b = builder();
    assert.throws(() => b.build(parsePasteConfig('[pipeline:noauth]\npipeline = v1 context\n', 'f'), 'noauth'), /"v1" is an app but stands where a filter belongs.*"context" is a filter but stands where the app/);
    assert.throws(() => b.build(parsePasteConfig('[pipeline:main]\npipeline = request_id cors\n', 'f'), 'keystone'), /f \[pipeline:main\]: "cors" is a filter but stands where the app \(last element\) belongs/);
  });

  test('a missing entry point is named', () => {
    assert.throws(() => builder().build(parsePasteConfig('[pipeline:other]\npipeline = v1\n', 'f'), 'keystone'), /unknown app "main"/);
  });

  test('cycles are refused, naming the section', () => {
    const paste = parsePasteConfig('[pipeline:main]\npipeline = request_id loop\n[composite:loop]\nuse = urlmap\n/ = inner\n[filter-app:inner]\nuse = cors\nnext = main\n', 'f');
    assert.throws(() => builder().build(paste, 'noauth'), /\[pipeline:main\]: cycle: main -> loop -> inner -> main/);
  });

  test('unknown composite use, a strategy without a pipeline, a bad urlmap key', () => {
    const b = builder();
    assert.throws(() => b.build(parsePasteConfig('[composite:main]\nuse = egg:Paste#other\n', 'f'), 'noauth'), /f \[composite:main\]: unknown use = egg:Paste#other/);
    assert.throws(() => b.build(parsePasteConfig('[composite:main]\nuse = pipeline_factory\nkeystone = authtoken context v1\n', 'f'), 'noauth'), /\[composite:main\]: no pipeline for \[api\] auth_strategy = noauth \(it has: keystone\)/);
    assert.throws(() => b.build(parsePasteConfig('[composite:main]\nuse = urlmap\nv1 = x\n', 'f'), 'noauth'), /\[composite:main\]: "v1" is not a path prefix/);
  });

  test('paste.filter_factory names a loaded plug-in and its middleware', () => {
    const b = builder(registry());
    assert.throws(() => b.build(parsePasteConfig('[pipeline:main]\npipeline = t v1\n[filter:t]\npaste.filter_factory = other:tag\n', 'f'), 'noauth'), /\[filter:t\]: paste\.filter_factory = other:tag: no plug-in named other is loaded \(loaded: test\)/);
    assert.throws(() => b.build(parsePasteConfig('[pipeline:main]\npipeline = t v1\n[filter:t]\npaste.filter_factory = test:nope\n', 'f'), 'noauth'), /plug-in test has no middleware nope \(it has: tag, broken\)/);
    assert.throws(() => b.build(parsePasteConfig('[pipeline:main]\npipeline = broken v1\n', 'f'), 'noauth'), /\[pipeline:main\]: plug-in test middleware broken refused its options: needs colour/);
  });

  test('"use =" lets a section stand for a known filter, with its options', async () => {
    const api = await startTestApi({ paste: '[pipeline:noauth]\npipeline = request_id health noauth context v1\n[filter:health]\nuse = healthcheck\npath = /ping\n' });
    try {
      assert.equal((await fetch(`${api.url}/ping`)).status, 200);
      assert.equal((await fetch(`${api.url}/healthcheck`)).status, 404, 'the default path is not served any more');
    } finally {
      await api.close();
    }
  });

  test('without faultwrap errors still come out in Zun\'s format', async () => {
    const api = await startTestApi({ paste: '[pipeline:noauth]\npipeline = noauth context v1\n' });
    try {
      const res = await fetch(`${api.url}/v1/nope`);
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code, 'container.');
      assert.equal(res.headers.get('x-openstack-request-id'), null, 'no request_id filter, no header');
    } finally {
      await api.close();
    }
  });
});

describe('the paste grammar on requests', () => {
  async function serve(paste: string, strategy = 'noauth', here: string | null = null): Promise<{ get(path: string): Promise<Response>; close(): Promise<void> }> {
    const app = builder(registry()).build(parsePasteConfig(paste, 'test.ini', here), strategy);
    const s = await listen(app);
    return { get: (path) => fetch(`${s.url}${path}`), close: () => s.close() };
  }

  test('urlmap: the longest matching prefix, on segment boundaries, with the whole path', async () => {
    const s = await serve([
      '[composite:main]', 'use = urlmap', '/ = a', '/v1 = b', '/v1/containers = c',
      '[pipeline:a]', 'pipeline = ta noauth context v1', '[filter:ta]', 'use = tag', 'tag = a',
      '[pipeline:b]', 'pipeline = tb noauth context v1', '[filter:tb]', 'use = tag', 'tag = b',
      '[pipeline:c]', 'pipeline = tc noauth context v1', '[filter:tc]', 'use = tag', 'tag = c',
    ].join('\n'));
    try {
      const tags = async (p: string): Promise<string | null> => (await s.get(p)).headers.get('x-tags');
      assert.equal(await tags('/'), 'a');
      assert.equal(await tags('/v1'), 'b');
      assert.equal(await tags('/v1/'), 'b');
      assert.equal(await tags('/v1x'), 'a');
      assert.equal(await tags('/v1/services'), 'b');
      assert.equal(await tags('/v1/containers'), 'c');
      const res = await s.get('/v1');
      assert.equal(res.status, 200, 'v1 sees /v1, not a stripped path');
      assert.equal(((await res.json()) as { id?: string }).id, 'v1');
    } finally {
      await s.close();
    }
  });

  test('filter-app chains run outermost first', async () => {
    const s = await serve([
      '[filter-app:main]', 'use = tag', 'tag = one', 'next = second',
      '[filter-app:second]', 'paste.filter_factory = test:tag', 'tag = two', 'next = rest',
      '[pipeline:rest]', 'pipeline = three noauth context v1', '[filter:three]', 'use = tag', 'tag = three',
    ].join('\n'));
    try {
      assert.equal((await s.get('/v1')).headers.get('x-tags'), 'one,two,three');
    } finally {
      await s.close();
    }
  });

  test('interpolated options reach the middleware', async () => {
    const s = await serve('[DEFAULT]\nteam = blue\n[pipeline:main]\npipeline = t noauth context v1\n[filter:t]\nuse = tag\ntag = %(team)s@%(here)s\n', 'noauth', '/etc/zun');
    try {
      assert.equal((await s.get('/v1')).headers.get('x-tags'), 'blue@/etc/zun');
    } finally {
      await s.close();
    }
  });

  test('pipeline_factory picks the pipeline of the auth strategy', async () => {
    const paste = '[composite:main]\nuse = pipeline_factory\nkeystone = k noauth context v1\nnoauth = n noauth context v1\n[filter:k]\nuse = tag\ntag = keystone\n[filter:n]\nuse = tag\ntag = noauth\n';
    for (const strategy of ['keystone', 'noauth']) {
      const s = await serve(paste, strategy);
      try {
        assert.equal((await s.get('/v1')).headers.get('x-tags'), strategy);
      } finally {
        await s.close();
      }
    }
  });

  test('the shipped file: health check beside the API, request ids everywhere, unknown paths 404 in Zun\'s format', async () => {
    const api = await startTestApi({ paste: DEFAULT_API_PASTE });
    try {
      const health = await fetch(`${api.url}/healthcheck`);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'OK');
      assert.match(health.headers.get('x-openstack-request-id') ?? '', /^req-/);
      const root = await fetch(`${api.url}/`);
      assert.equal(root.status, 200);
      const nope = await fetch(`${api.url}/nope`);
      assert.equal(nope.status, 404);
      assert.match(nope.headers.get('x-openstack-request-id') ?? '', /^req-/);
      assert.equal(((await nope.json()) as { errors: { status: number }[] }).errors[0]?.status, 404);
    } finally {
      await api.close();
    }
  });
});

describe('loadPasteConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-paste-'));

  test('found in a config directory; the default name falls back to the built-in file; others must exist', () => {
    try {
      const builtIn = loadPasteConfig('api-paste.ini', [dir], silentLogger());
      assert.equal(builtIn.source, 'built-in api-paste.ini');
      writeFileSync(join(dir, 'api-paste.ini'), '[pipeline:main]\npipeline = context v1\n');
      const found = loadPasteConfig('api-paste.ini', [join(dir, 'missing'), dir], silentLogger());
      assert.equal(found.source, join(dir, 'api-paste.ini'));
      assert.deepEqual(found.pipelines.get('main'), ['context', 'v1']);
      assert.throws(() => loadPasteConfig('custom.ini', [dir], silentLogger()), /custom\.ini not found/);
      assert.throws(() => loadPasteConfig(join(dir, 'abs.ini'), [], silentLogger()), /abs\.ini not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
