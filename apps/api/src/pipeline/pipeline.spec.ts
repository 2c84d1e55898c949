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
import { startTestApi, testConf } from '../../tests/fixtures/test-api';
import { DEFAULT_API_PASTE, parsePasteConfig } from './paste-config';
import { loadPasteConfig } from './paste-loader';
import { PipelineBuilder } from './pipeline.builder';

function builder(): PipelineBuilder {
  return createApiContainer(testConf(['--api.auth_strategy=noauth']), silentLogger(), new FakeServiceStore()).get(PipelineBuilder);
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

  test('the default pipelines, in order', () => {
    const p = parsePasteConfig(DEFAULT_API_PASTE, 'x');
    assert.deepEqual(p.pipelines.get('main'), ['request_id', 'cors', 'healthcheck', 'http_proxy_to_wsgi', 'faultwrap', 'sizelimit', 'authtoken', 'context', 'v1']);
    assert.deepEqual(p.pipelines.get('noauth'), ['request_id', 'cors', 'healthcheck', 'http_proxy_to_wsgi', 'faultwrap', 'sizelimit', 'noauth', 'context', 'v1']);
    assert.equal(p.sections.get('authtoken')?.options['acl_public_routes'], '/, /v1');
  });

  test('continuation lines, comments, paste.* keys', () => {
    const p = parsePasteConfig('[pipeline:main]\npipeline = a b\n   c d\n# x\n[filter:a]\npaste.filter_factory = py:thing\nuse = request_id\nk: v\n', 'f');
    assert.deepEqual(p.pipelines.get('main'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(p.sections.get('a')?.options, { use: 'request_id', k: 'v' });
  });

  test('syntax errors are ConfigErrors naming the file', () => {
    assert.throws(() => parsePasteConfig('pipeline = a\n', 'my.ini'), /my\.ini: line 1/);
    assert.throws(() => parsePasteConfig('[pipeline:main]\n', 'my.ini'), /needs "pipeline = /);
    assert.throws(() => parsePasteConfig('[weird:x]\na = b\n', 'my.ini'), /unknown section type "weird"/);
  });
});

describe('PipelineBuilder', () => {
  test('an unknown filter name stops start-up, listing the known ones', () => {
    const paste = parsePasteConfig('[pipeline:noauth]\npipeline = request_id osprofiler noauth context v1\n', 'api-paste.ini');
    assert.throws(() => builder().resolve(paste, 'noauth'), (e: unknown) => {
      assert.ok(e instanceof Error && e.name === 'ConfigError');
      assert.match(e.message, /unknown filter "osprofiler"/);
      assert.match(e.message, /known filters: .*request_id.*authtoken/);
      return true;
    });
  });

  test('the app must come last, and only there', () => {
    const b = builder();
    assert.throws(() => b.resolve(parsePasteConfig('[pipeline:noauth]\npipeline = v1 context\n', 'f'), 'noauth'), /"v1" is an app.*"context" is a filter/);
    assert.throws(() => b.resolve(parsePasteConfig('[pipeline:noauth]\npipeline = request_id\n', 'f'), 'noauth'), /"request_id" is a filter but stands where the app/);
  });

  test('a missing pipeline is named', () => {
    assert.throws(() => builder().resolve(parsePasteConfig(DEFAULT_API_PASTE, 'f'), 'other'), /no \[pipeline:other\] \(pipelines defined: main, noauth\)/);
  });

  test('"use =" lets a section stand for a known filter, with its options', () => {
    const paste = parsePasteConfig('[pipeline:noauth]\npipeline = health noauth context v1\n[filter:health]\nuse = healthcheck\npath = /ping\n', 'f');
    const stages = builder().resolve(paste, 'noauth');
    assert.equal(stages[0]?.factory.name, 'healthcheck');
    assert.deepEqual(stages[0]?.options, { path: '/ping' });
  });

  test('auth_strategy picks the pipeline: noauth serves without a token', async () => {
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
