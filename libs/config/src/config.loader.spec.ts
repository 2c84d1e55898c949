import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '@zun-ts/common';
import { configFiles, configSources, defaultConf, loadConfig, loggableConf, maskUrlPasswords } from './config.loader';

let dir: string;
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
/** Loads with an empty environment and fails the test on any warning unless one is expected. */
function load(argv: string[], env: Record<string, string> = {}, warnings?: string[]) {
  return loadConfig(argv, {
    env,
    warn: (m) => {
      if (!warnings) assert.fail(`unexpected warning: ${m}`);
      warnings.push(m);
    },
  });
}
function loadError(argv: string[], env: Record<string, string> = {}): ConfigError {
  try {
    load(argv, env, []);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected loadConfig to throw');
}

void before(() => {
  dir = mkdtempSync(join(tmpdir(), 'zun-config-spec-'));
});
void after(() => rmSync(dir, { recursive: true, force: true }));

void describe('loadConfig defaults', () => {
  void test('without any source every option has its default', () => {
    const conf = load([]);
    assert.equal(conf.DEFAULT.host, hostname());
    assert.equal(conf.DEFAULT.debug, false);
    assert.equal(conf.DEFAULT.log_dir, null);
    assert.equal(conf.api.port, 9517);
    assert.ok(conf.api.workers >= 1);
    assert.equal(conf.api.auth_strategy, 'keystone');
    assert.equal(conf.database.connection, 'sqlite:////var/lib/zun/zun.sqlite');
    assert.deepEqual(conf.scheduler.enabled_filters, ['AvailabilityZoneFilter', 'ComputeFilter', 'RuntimeFilter', 'CPUFilter', 'RamFilter', 'DiskFilter', 'LabelFilter']);
    assert.equal(conf.scheduler.ram_allocation_ratio, 1.5);
    assert.equal(conf.websocket_proxy.base_url, 'ws://0.0.0.0:6784/');
    assert.equal(conf.keystone_authtoken.user_domain_name, 'Default');
    assert.equal(conf.quota.memory, 51200);
    assert.deepEqual(conf.oslo_policy.policy_dirs, ['policy.d']);
    assert.deepEqual(configFiles(conf), []);
  });

  void test('the result is frozen', () => {
    const conf = load([]);
    assert.ok(Object.isFrozen(conf));
    assert.ok(Object.isFrozen(conf.api));
    assert.ok(Object.isFrozen(conf.scheduler.enabled_filters));
  });
});

void describe('loadConfig precedence', () => {
  void test('defaults < files in order < config dir < environment < command line', () => {
    const f1 = file('p1.conf', '[DEFAULT]\nhost = f1\ndebug = true\n[api]\nport = 1001\nmax_limit = 11\nworkers = 3\n[redis]\nkey_prefix = f1\n[quota]\ncpu = 1\n');
    const f2 = file('p2.conf', '[api]\nport = 1002\nmax_limit = 12\n[redis]\nkey_prefix = f2\n[quota]\ncpu = 2\n');
    const d = join(dir, 'p.d');
    mkdirSync(d);
    writeFileSync(join(d, '20-b.conf'), '[api]\nmax_limit = 14\n[quota]\ncpu = 4\n');
    writeFileSync(join(d, '10-a.conf'), '[api]\nmax_limit = 13\nport = 1003\n[quota]\ncpu = 3\n');
    writeFileSync(join(d, 'ignored.txt'), '[api]\nmax_limit = 99\n');
    const conf = load(
      ['--config-dir', d, '--config-file', f1, `--config-file=${f2}`, '--quota.cpu=6', '--quota.memory', '7'],
      { ZUN_QUOTA__CPU: '5', ZUN_API__MAX_LIMIT: '15', ZUN_QUOTA__MEMORY: '8' },
    );
    assert.equal(conf.DEFAULT.host, 'f1'); // only the first file sets it
    assert.equal(conf.DEFAULT.debug, true);
    assert.equal(conf.api.workers, 3);
    assert.equal(conf.redis.key_prefix, 'f2'); // later file wins
    assert.equal(conf.api.port, 1003); // config dir after the files
    assert.equal(conf.api.max_limit, 15); // environment over the config dir (14)
    assert.equal(conf.quota.cpu, 6); // command line over the environment
    assert.equal(conf.quota.memory, 7);
    assert.deepEqual(configSources(conf), {
      files: [f1, f2, join(d, '10-a.conf'), join(d, '20-b.conf')],
      env: ['ZUN_API__MAX_LIMIT', 'ZUN_QUOTA__CPU', 'ZUN_QUOTA__MEMORY'],
      flags: ['--quota.cpu', '--quota.memory'],
    });
    assert.deepEqual(configFiles(), configFiles(conf)); // without an argument: the last load
  });

  void test('environment names: section upper-cased, DEFAULT as ZUN_DEFAULT__X', () => {
    const conf = load([], { ZUN_DEFAULT__HOST: 'h1', ZUN_API__PORT: '1234', ZUN_KEYSTONE_AUTHTOKEN__AUTH_URL: 'http://k:5000/v3', ZUN_TEST_REDIS_URL: 'redis://x' });
    assert.equal(conf.DEFAULT.host, 'h1');
    assert.equal(conf.api.port, 1234);
    assert.equal(conf.keystone_authtoken.auth_url, 'http://k:5000/v3');
  });

  void test('command-line forms: --section.option=value, --section.option value, --option for DEFAULT, bool shorthands', () => {
    const conf = load(['--api.port=1', '--redis.url', 'redis://r:1/2', '--host=h2', '--debug', '--api.enable-proxy-headers-parsing', 'yes', '--api.nocors_allow_credentials', '--DEFAULT.state_path', '/s']);
    assert.equal(conf.api.port, 1);
    assert.equal(conf.redis.url, 'redis://r:1/2');
    assert.equal(conf.DEFAULT.host, 'h2');
    assert.equal(conf.DEFAULT.debug, true);
    assert.equal(conf.api.enable_proxy_headers_parsing, true);
    assert.equal(conf.api.cors_allow_credentials, false);
    assert.equal(conf.DEFAULT.state_path, '/s');
    assert.equal(load(['--nodebug']).DEFAULT.debug, false);
    assert.equal(load(['--debug=false']).DEFAULT.debug, false);
  });
});

void describe('loadConfig errors', () => {
  void test('three bad options give one ConfigError naming all three', () => {
    const f = file('bad.conf', '[api]\nport = abc\n[DEFAULT]\ndebug = perhaps\n');
    const err = loadError(['--config-file', f], { ZUN_SCHEDULER__MAX_ATTEMPTS: '0' });
    const lines = err.message.split('\n').slice(1).map((l) => l.trim());
    assert.equal(lines.length, 3, err.message);
    assert.ok(err.message.includes("[api] port: 'abc' is not an integer"), err.message);
    assert.ok(err.message.includes(`(${f}:2)`), err.message);
    assert.ok(err.message.includes("[DEFAULT] debug: 'perhaps' is not a boolean"), err.message);
    assert.ok(err.message.includes('[scheduler] max_attempts: 0 is below the minimum 1 (environment variable ZUN_SCHEDULER__MAX_ATTEMPTS)'), err.message);
    assert.equal(err.status, 400);
  });

  void test('port range, enum and URL checks are reported', () => {
    const err = loadError(['--api.port=70000', '--api.auth_strategy=basic', '--database.connection=postgres://x', '--scheduler.cpu_allocation_ratio=fast']);
    assert.match(err.message, /\[api\] port: 70000 is not a valid port \(0-65535\) \(command-line --api.port\)/);
    assert.match(err.message, /\[api\] auth_strategy: 'basic' is not one of: keystone, noauth/);
    assert.match(err.message, /\[database\] connection: 'postgres:\/\/x' is not a sqlite:\/\/ or mysql:\/\/ URL/);
    assert.match(err.message, /\[scheduler\] cpu_allocation_ratio: 'fast' is not a number/);
  });

  void test('a missing --config-file or --config-dir is an error', () => {
    const missing = join(dir, 'nope.conf');
    const err = loadError(['--config-file', missing, '--config-dir', join(dir, 'nodir')]);
    assert.ok(err.message.includes(`config file not found: ${missing}`), err.message);
    assert.ok(err.message.includes(`config dir not found: ${join(dir, 'nodir')}`), err.message);
    assert.match(loadError(['--config-file']).message, /--config-file needs a path/);
  });

  void test('unknown command-line arguments are errors, reported with the bad values', () => {
    const err = loadError(['--api.bogus=1', '--nosuch', 'x', 'positional', '--api.port=x', '--api.max_limit']);
    assert.match(err.message, /unknown command-line option --api\.bogus/);
    assert.match(err.message, /unknown command-line option --nosuch/);
    assert.match(err.message, /unexpected command-line argument 'positional'/);
    assert.match(err.message, /\[api\] port: 'x' is not an integer/);
    assert.match(err.message, /--api\.max_limit needs a value/);
    assert.ok(!err.message.includes("unexpected command-line argument 'x'"), err.message); // 'x' was the value of --nosuch
    assert.equal(err.message.split('\n').length, 6, err.message);
  });

  void test('syntax errors in a file name the file and line', () => {
    const f = file('syntax.conf', '[api]\nport 9517\n');
    assert.ok(loadError(['--config-file', f]).message.includes(`${f}:2: expected "key = value"`));
  });

  void test('the value of a secret option never appears in an error', () => {
    const err = loadError(['--keystone_authtoken.password=$nosuch']);
    assert.match(err.message, /\[keystone_authtoken\] password: invalid value \(not shown: secret option\)/);
  });
});

void describe('loadConfig unknown options', () => {
  void test('unknown options and sections in files and the environment warn, naming them', () => {
    const f = file('unknown.conf', '[DEFAULT]\ntransport_url = rabbit://x\n[api]\nport = 1\nportt = 2\n[oslo_messaging_rabbit]\nx = 1\n');
    const warnings: string[] = [];
    const conf = load(['--config-file', f], { ZUN_API__NOPE: '1', ZUN_NOSECTION__X: '2' }, warnings);
    assert.equal(conf.api.port, 1);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    const [fromFile, fromEnv] = warnings;
    assert.ok(fromFile?.startsWith(`${f}: ignoring unknown options:`), fromFile);
    for (const name of ['[DEFAULT] transport_url', '[api] portt', '[oslo_messaging_rabbit]']) assert.ok(fromFile?.includes(name), `${name} in ${fromFile}`);
    assert.ok(fromEnv?.includes('ZUN_API__NOPE') && fromEnv.includes('ZUN_NOSECTION__X'), fromEnv);
  });

  void test('warnings go to console.error by default', (t) => {
    const seen: unknown[] = [];
    t.mock.method(console, 'error', (...args: unknown[]) => seen.push(args.join(' ')));
    loadConfig([], { env: { ZUN_API__NOPE: '1' } });
    assert.equal(seen.length, 1);
    assert.match(String(seen[0]), /ZUN_API__NOPE/);
  });
});

void describe('loadConfig interpolation', () => {
  void test('$state_path in the default database URL follows state_path from any source', () => {
    assert.equal(load(['--state_path=/srv/zun']).database.connection, 'sqlite:////srv/zun/zun.sqlite');
    const f = file('interp.conf', '[DEFAULT]\nstate_path = /data\n[database]\nconnection = sqlite:///${state_path}/other.db\n');
    assert.equal(load(['--config-file', f]).database.connection, 'sqlite:////data/other.db');
  });

  void test('same-section options come before DEFAULT; typed values are written back as text', () => {
    const conf = load(['--websocket_proxy.wsproxy_host=10.0.0.5', '--websocket_proxy.wsproxy_port=7000']);
    assert.equal(conf.websocket_proxy.base_url, 'ws://10.0.0.5:7000/');
    const f = file('interp2.conf', '[DEFAULT]\nhost = node1\n[docker]\ndefault_registry = $host:5000\n[api]\nmax_limit = $max_request_body_size\nmax_request_body_size = 5000\n');
    const c2 = load(['--config-file', f]);
    assert.equal(c2.docker.default_registry, 'node1:5000');
    assert.equal(c2.api.max_limit, 5000);
  });

  void test('${section.option} reaches any section and $$ is a literal dollar', () => {
    const conf = load(['--docker.container_runtime=${api.port}', '--keystone_authtoken.password=pa$$word']);
    assert.equal(conf.docker.container_runtime, '9517');
    assert.equal(conf.keystone_authtoken.password, 'pa$word');
  });

  void test('unknown references and cycles are errors', () => {
    const err = loadError(['--docker.container_runtime=$nosuch', '--DEFAULT.log_dir=$log_file', '--log_file=$log_dir']);
    assert.match(err.message, /\[docker\] container_runtime: refers to unknown option \$nosuch/);
    assert.match(err.message, /circular reference through \$log_(dir|file)/);
  });

  void test('a bad referenced option is reported once, not again by the options using it', () => {
    const err = loadError(['--websocket_proxy.wsproxy_port=x']);
    assert.equal(err.message.split('\n').length, 2, err.message);
    assert.match(err.message, /\[websocket_proxy\] wsproxy_port: 'x' is not an integer/);
  });
});

void describe('loggableConf', () => {
  void test('masks secrets that are set and keeps everything else', () => {
    const conf = load(['--keystone_authtoken.password=hunter2', '--keystone_authtoken.username=zun']);
    const shown = loggableConf(conf);
    assert.equal(shown.keystone_authtoken.password, '***');
    assert.equal(shown.keystone_authtoken.username, 'zun');
    assert.equal(loggableConf(load([])).keystone_authtoken.password, null);
    assert.ok(!JSON.stringify(shown).includes('hunter2'));
  });

  void test('masks a password inside a URL option (the services logged the Redis URL with its password)', () => {
    const conf = load(['--redis.url=redis://:s3cret-pw@127.0.0.1:6390/0', '--database.connection=mysql+pymysql://zun:db-pw@10.0.0.1/zun']);
    const shown = loggableConf(conf);
    assert.equal(shown.redis.url, 'redis://:***@127.0.0.1:6390/0');
    assert.equal(shown.database.connection, 'mysql+pymysql://zun:***@10.0.0.1/zun');
    const text = JSON.stringify(shown);
    assert.ok(!text.includes('s3cret-pw') && !text.includes('db-pw'));
    assert.equal(maskUrlPasswords('redis://127.0.0.1:6390/0'), 'redis://127.0.0.1:6390/0', 'a URL without a password is unchanged');
    assert.deepEqual(maskUrlPasswords(['http://u:p@h/', 'plain']), ['http://u:***@h/', 'plain']);
  });
});

void describe('defaultConf', () => {
  void test('gives the defaults with overrides, ignoring the process environment', (t) => {
    t.mock.method(console, 'error', () => assert.fail('defaultConf must not warn'));
    const saved = process.env.ZUN_API__PORT;
    process.env.ZUN_API__PORT = '1';
    try {
      const conf = defaultConf({ api: { port: 4242 }, DEFAULT: { host: 'test-host' } });
      assert.equal(conf.api.port, 4242);
      assert.equal(conf.api.host_ip, '0.0.0.0');
      assert.equal(conf.DEFAULT.host, 'test-host');
      assert.equal(defaultConf().api.port, 9517);
      assert.ok(Object.isFrozen(conf.api));
    } finally {
      if (saved === undefined) delete process.env.ZUN_API__PORT;
      else process.env.ZUN_API__PORT = saved;
    }
  });
});
