// The example plug-in's middleware in the real zun-api (Keystone auth, its own SQLite database): named in
// api-paste.ini by `paste.filter_factory = zun-plugin-example:response_header`, with options interpolated from the
// file's [DEFAULT] and %(here)s, its header is on every answer (API, version document, 401, health check). With the
// plug-in gone from zun.conf and the shipped api-paste.ini back, the header is gone. A plug-in of the wrong shape,
// or a pipeline naming middleware no plug-in provides, stops zun-api at start with the name of what is wrong.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '@zun-ts/db';
import { deleteRedisKeys, examplePluginDir, startService, uniqueName, writeZunConf, type ServiceHandle, freePort } from '@zun-ts/testing';
import { DEFAULT_API_PASTE } from '../src/pipeline/paste-config';
import { issueToken, readOpenRc, requireEnv } from './fixtures/keystone-env';

const keystoneUrl = requireEnv('ZUN_TEST_KEYSTONE_URL', 'http://127.0.0.1:5000/v3');
const keystoneState = requireEnv('ZUN_TEST_KEYSTONE_STATE', '/tmp/keystone-5000');
const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');

/** api-paste.ini as shipped, with the example's middleware right after request_id in every pipeline. */
const PASTE_WITH_PLUGIN = `[DEFAULT]
team = blue

[composite:main]
use = urlmap
/ = zun_api
/healthcheck = healthcheck

[composite:zun_api]
use = pipeline_factory
keystone = request_id team_header cors http_proxy_to_wsgi faultwrap sizelimit authtoken context v1
noauth = request_id team_header cors http_proxy_to_wsgi faultwrap sizelimit noauth context v1

[pipeline:healthcheck]
pipeline = request_id team_header health

[app:health]
use = healthcheck

[filter:team_header]
paste.filter_factory = zun-plugin-example:response_header
header = X-Team
value = %(team)s@%(here)s

[filter:authtoken]
acl_public_routes = /, /v1
`;

describe('a plug-in\'s middleware in zun-api', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-api-plugin-'));
  const prefix = uniqueName('plugapi');
  const zun = readOpenRc(keystoneState, 'zun');
  let port: number;
  let token: string;
  let pluginDir: string;
  let api: ServiceHandle | null = null;
  const url = (p: string): string => `http://127.0.0.1:${port}${p}`;

  const conf = (defaults: Record<string, string> = {}): string =>
    writeZunConf({
      DEFAULT: { state_path: dir, ...defaults },
      api: { host_ip: '127.0.0.1', port, workers: 1 },
      database: { connection: `sqlite:///${join(dir, 'zun.sqlite')}` },
      redis: { url: redisUrl, key_prefix: prefix },
      keystone_authtoken: {
        auth_url: keystoneUrl,
        www_authenticate_uri: keystoneUrl,
        username: zun.username,
        password: zun.password,
        project_name: zun.projectName,
      },
    });

  const start = async (confText: string, paste: string): Promise<ServiceHandle> => {
    writeFileSync(join(dir, 'api-paste.ini'), paste);
    api = await startService('api', confText, { dir, name: 'zun-api', ready: { http: url('/healthcheck') } });
    return api;
  };

  /** Starts zun-api expecting it to refuse; returns its log. */
  const refused = async (confText: string, paste: string): Promise<string> => {
    writeFileSync(join(dir, 'api-paste.ini'), paste);
    const proc = await startService('api', confText, { dir, name: uniqueName('zun-api'), ready: 'started' });
    const exit = await proc.exitWithin(30_000);
    assert.notEqual(exit.code, 0, proc.log());
    return proc.log();
  };

  before(async () => {
    pluginDir = await examplePluginDir();
    port = await freePort();
    const db = await Database.open(`sqlite:///${join(dir, 'zun.sqlite')}`);
    await db.migrate();
    await db.close();
    token = (await issueToken(keystoneUrl, readOpenRc(keystoneState, 'admin'))).token;
  });

  after(async () => {
    await api?.stop();
    await deleteRedisKeys(redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  test('its header is on every answer, with its interpolated options', async () => {
    await start(conf({ plugin_paths: pluginDir }), PASTE_WITH_PLUGIN);
    const expected = `blue@${dir}`;
    const services = await fetch(url('/v1/services'), { headers: { 'X-Auth-Token': token } });
    assert.equal(services.status, 200);
    assert.equal(services.headers.get('x-team'), expected);
    assert.match(services.headers.get('x-openstack-request-id') ?? '', /^req-/);
    const unauthenticated = await fetch(url('/v1/services'));
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.headers.get('x-team'), expected);
    assert.equal((await fetch(url('/'))).headers.get('x-team'), expected);
    assert.equal((await fetch(url('/healthcheck'))).headers.get('x-team'), expected);
    assert.ok(api?.logRecords().some((r) => r['msg'] === 'plug-in loaded' && r['plugin'] === 'zun-plugin-example'), 'start-up logs the plug-in');
    await api?.stop();
    api = null;
  });

  test('removed from zun.conf and api-paste.ini, the header is gone', async () => {
    await start(conf(), DEFAULT_API_PASTE);
    const services = await fetch(url('/v1/services'), { headers: { 'X-Auth-Token': token } });
    assert.equal(services.status, 200);
    assert.equal(services.headers.get('x-team'), null);
    assert.equal((await fetch(url('/healthcheck'))).headers.get('x-team'), null);
    await api?.stop();
    api = null;
  });

  test('middleware no loaded plug-in provides stops the start, naming the section and the loaded plug-ins', async () => {
    const log = await refused(conf(), PASTE_WITH_PLUGIN);
    assert.match(log, /\[filter:team_header\]: paste\.filter_factory = zun-plugin-example:response_header: no plug-in named zun-plugin-example is loaded/);
  });

  test('a plug-in of the wrong shape stops the start, naming the plug-in and what is wrong', async () => {
    const bad = join(dir, 'bad-plugin.js');
    writeFileSync(bad, `exports.zunPlugin = { name: 'bad-plugin', apiVersion: '1.0.0', filters: { TeamFilter: { name: 'TeamFilter', runOncePerRequest: true } } };\n`);
    const log = await refused(conf({ plugin_paths: bad }), DEFAULT_API_PASTE);
    assert.match(log, /plug-in bad-plugin \([^)]*bad-plugin\.js\) refused: filter TeamFilter lacks the method hostPasses/);
  });
});
