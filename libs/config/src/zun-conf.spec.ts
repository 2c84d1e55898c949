import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from './config.loader';
import { type ZunConf, describeOptions } from './zun-conf';

// Compile-time checks: the ZunConf type is inferred from the declarations.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const inferred: [
  Equal<ZunConf['api']['port'], number>,
  Equal<ZunConf['DEFAULT']['log_dir'], string | null>,
  Equal<ZunConf['DEFAULT']['debug'], boolean>,
  Equal<ZunConf['api']['auth_strategy'], 'keystone' | 'noauth'>,
  Equal<ZunConf['scheduler']['enabled_filters'], readonly string[]>,
  Equal<ZunConf['volume']['fstype'], 'ext4' | 'xfs'>,
  Equal<ZunConf['keystone_authtoken']['password'], string | null>,
  Equal<ZunConf['DEFAULT']['default_image_driver'], string>,
  Equal<keyof ZunConf, 'DEFAULT' | 'api' | 'database' | 'redis' | 'scheduler' | 'compute' | 'conductor' | 'docker' | 'glance' | 'volume' | 'capsule' | 'network' | 'websocket_proxy' | 'keystone_authtoken' | 'quota' | 'oslo_policy' | 'metrics'>,
] = [true, true, true, true, true, true, true, true, true];

void describe('ZunConf and describeOptions', () => {
  void test('image drivers: glance and docker by default, docker for a container naming none; other names are left to the services', () => {
    const conf = loadConfig([], { env: {} });
    assert.deepEqual([conf.DEFAULT.image_driver_list, conf.DEFAULT.default_image_driver], [['glance', 'docker'], 'docker']);
    assert.deepEqual(loadConfig([], { env: { ZUN_DEFAULT__IMAGE_DRIVER_LIST: 'docker' } }).DEFAULT.image_driver_list, ['docker']);
    // A plug-in's image driver: the configuration cannot know the plug-ins, zun-api and zun-compute check at start.
    const plugin = loadConfig([], { env: { ZUN_DEFAULT__IMAGE_DRIVER_LIST: 'docker,quay', ZUN_DEFAULT__DEFAULT_IMAGE_DRIVER: 'quay' } }).DEFAULT;
    assert.deepEqual([plugin.image_driver_list, plugin.default_image_driver], [['docker', 'quay'], 'quay']);
    assert.throws(() => loadConfig([], { env: { ZUN_DEFAULT__IMAGE_DRIVER_LIST: 'docker,a b' } }), /bad image driver name a b/);
    assert.throws(() => loadConfig([], { env: { ZUN_DEFAULT__DEFAULT_IMAGE_DRIVER: 'x:y' } }), /default_image_driver: must be an image driver name/);
  });

  void test('[glance]: catalog endpoint by default, credentials unset (they fall back to [keystone_authtoken])', () => {
    const g = loadConfig([], { env: {} }).glance;
    assert.deepEqual([g.api_servers, g.endpoint_type, g.region_name, g.username, g.password], [[], 'public', null, null, null]);
  });

  void test('the type-level checks above hold', () => {
    assert.ok(inferred.every((x) => x));
  });

  void test('describeOptions lists exactly the sections and options a loaded configuration has', () => {
    const conf = loadConfig([], { env: {} }) as unknown as Record<string, Record<string, unknown>>;
    const described = describeOptions();
    assert.deepEqual(described.map((s) => s.name), Object.keys(conf));
    for (const s of described) assert.deepEqual(s.options.map((o) => o.name), Object.keys(conf[s.name] ?? {}), s.name);
  });

  void test('every option has help text and a known kind; secrets hide their default', () => {
    for (const s of describeOptions()) {
      assert.ok(s.help.length > 5, s.name);
      for (const o of s.options) {
        assert.ok(o.help.length > 10, `${s.name}.${o.name} help`);
        assert.ok(['string', 'integer', 'float', 'boolean', 'port', 'list', 'enum'].includes(o.kind));
        if (o.secret) assert.equal(o.defaultText, '<None>');
      }
    }
    const api = describeOptions().find((s) => s.name === 'api');
    const port = api?.options.find((o) => o.name === 'port');
    assert.deepEqual({ kind: port?.kind, default: port?.default, min: port?.min, max: port?.max }, { kind: 'port', default: 9517, min: 0, max: 65535 });
  });
});
