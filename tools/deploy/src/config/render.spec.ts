import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '@zun-ts/config';
import { endpoints } from '../inventory/deployment';
import { parseConfigJson } from '../set-configs/config-json';
import { MULTINODE, PASSWORDS, deployment } from '../../tests/fixtures/deployments';
import { IniMergeError, iniFrom, mergeIni, parseIniData, renderIni } from './ini-merge';
import { type RenderedHost, renderHost, writeRendered } from './render';

function file(r: RenderedHost, path: string): string {
  const f = r.files.find((x) => x.path === path);
  assert.ok(f, `${path} rendered (have ${r.files.map((x) => x.path).join(', ')})`);
  return f.content;
}

function override(configDir: string, rel: string, text: string): void {
  const p = join(configDir, 'config', rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

/** Loads a rendered zun.conf with the services' own loader; unknown options would be warnings. */
function load(text: string): { conf: ReturnType<typeof loadConfig>; warnings: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'zun-conf-'));
  writeFileSync(join(dir, 'zun.conf'), text);
  const warnings: string[] = [];
  const conf = loadConfig(['--config-file', join(dir, 'zun.conf')], { env: {}, warn: (m) => void warnings.push(m) });
  return { conf, warnings };
}

void describe('INI merge', () => {
  void test('later files win per option, sections merge, new sections are appended; DEFAULT renders first', () => {
    const base = iniFrom({ api: { port: 1, host_ip: 'a' }, DEFAULT: { host: 'h' } });
    const merged = mergeIni(base, parseIniData('[api]\nport = 2\n[quota]\ncontainers = 3\n', 'o.conf'));
    assert.equal(renderIni(merged), '[DEFAULT]\nhost = h\n\n[api]\nport = 2\nhost_ip = a\n\n[quota]\ncontainers = 3\n');
    assert.equal(base.get('api')?.get('port'), '1', 'the base is not modified');
  });

  void test('a syntax error in an override names its file and line', () => {
    assert.throws(() => parseIniData('[api]\nport = 2\nno separator here\n', '/etc/kolla/config/zun.conf'), (e: Error) => e instanceof IniMergeError && e.message.startsWith('/etc/kolla/config/zun.conf:3: expected "key = value"'));
  });
});

void describe('genconfig rendering', () => {
  void test('all-in-one: one directory per service with config.json and its files', () => {
    const r = renderHost(deployment(), 'localhost');
    assert.deepEqual(r.services, ['mariadb', 'redis', 'keystone', 'zun-conductor', 'zun-scheduler', 'zun-api', 'zun-wsproxy', 'zun-compute']);
    assert.deepEqual(r.files.map((f) => f.path).filter((p) => p.startsWith('zun-api/')), ['zun-api/zun.conf', 'zun-api/config.json']);
    assert.ok(r.files.every((f) => f.mode === 0o660));
    assert.match(file(r, 'keystone/keystone-uwsgi.ini'), /http-socket = 192\.0\.2\.10:5000/);
  });

  void test('each service\'s config.json follows the kolla_set_configs contract', () => {
    const r = renderHost(deployment(), 'localhost');
    for (const svc of ['zun-api', 'zun-conductor', 'zun-scheduler', 'zun-wsproxy', 'zun-compute']) {
      const c = parseConfigJson(file(r, `${svc}/config.json`), `${svc}/config.json`);
      assert.equal(c.command, `node /opt/zun-ts/bin/${svc}.js --config-file /etc/zun/zun.conf`);
      assert.deepEqual(c.config_files.map((f) => [f.source, f.dest, f.owner, f.perm, f.optional]), [
        ['/var/lib/kolla/config_files/zun.conf', '/etc/zun/zun.conf', 'zun', 0o600, false],
        ['/var/lib/kolla/config_files/policy.yaml', '/etc/zun/policy.yaml', 'zun', 0o600, true],
      ]);
      assert.deepEqual(c.permissions.map((p) => [p.path, p.owner, p.recurse]), [['/var/log/kolla/zun', 'zun:kolla', true]]);
    }
    const db = parseConfigJson(file(r, 'mariadb/config.json'));
    assert.equal(db.command, '/usr/sbin/mariadbd --defaults-file=/etc/mysql/my.cnf --init-file=/etc/mysql/init.sql');
    assert.deepEqual(db.config_files.map((f) => [f.dest, f.owner, f.perm]), [
      ['/etc/mysql/my.cnf', 'mysql', 0o600],
      ['/etc/mysql/init.sql', 'mysql', 0o600],
    ]);
    const init = file(r, 'mariadb/init.sql');
    const rootPw = deployment().passwords.database_password;
    assert.ok(init.includes(`ALTER USER 'root'@'localhost' IDENTIFIED BY '${rootPw}';`), init);
    assert.match(init, /^GRANT ALL PRIVILEGES ON \*\.\* TO 'root'@'%' WITH GRANT OPTION;$/m);
    assert.equal(parseConfigJson(file(r, 'redis/config.json')).config_files[0]?.owner, 'redis');
    assert.deepEqual(parseConfigJson(file(r, 'keystone/config.json')).config_files.map((f) => f.dest), ['/etc/keystone/keystone.conf', '/etc/keystone/keystone-uwsgi.ini']);
  });

  void test('zun.conf of every service loads with the services\' own loader and holds only what the service needs', () => {
    const r = renderHost(deployment(), 'localhost');
    for (const svc of ['api', 'conductor', 'scheduler', 'wsproxy', 'compute']) {
      const text = file(r, `zun-${svc}/zun.conf`);
      const { conf, warnings } = load(text);
      assert.deepEqual(warnings, [], svc);
      assert.equal(conf.DEFAULT.host, 'localhost');
      assert.equal(conf.redis.url, `redis://:${PASSWORDS.redis_master_password}@192.0.2.10:6379/0`);
      const hasDb = ['api', 'conductor', 'scheduler'].includes(svc);
      assert.equal(text.includes(PASSWORDS.zun_database_password), hasDb, `${svc}: database password only where the database is used`);
      if (hasDb) assert.equal(conf.database.connection, `mysql+pymysql://zun:${PASSWORDS.zun_database_password}@192.0.2.10:3306/zun`);
      assert.equal(text.includes(PASSWORDS.zun_keystone_password), svc === 'api', svc);
    }
    const api = load(file(r, 'zun-api/zun.conf')).conf;
    assert.equal(api.api.host_ip, '192.0.2.10');
    assert.equal(api.api.port, 9517);
    assert.equal(api.keystone_authtoken.auth_url, 'http://192.0.2.10:5000/v3');
    assert.equal(api.keystone_authtoken.username, 'zun');
    assert.equal(api.keystone_authtoken.project_name, 'service');
    assert.equal(api.websocket_proxy.base_url, 'ws://192.0.2.10:6784/');
    const compute = load(file(r, 'zun-compute/zun.conf')).conf;
    assert.equal(compute.docker.docker_remote_api_host, 'unix:///var/run/docker.sock');
  });

  void test('overrides merge in Kolla\'s order: global.conf, zun.conf, zun/<svc>.conf, zun/<host>/zun.conf', () => {
    const dep = deployment();
    override(dep.configDir, 'global.conf', '[DEFAULT]\ndebug = True\nreport_interval = 11\n[redis]\nkey_prefix = global\n');
    override(dep.configDir, 'zun.conf', '[redis]\nkey_prefix = zun\n[quota]\ncontainers = 7\n');
    override(dep.configDir, 'zun/zun-api.conf', '[redis]\nkey_prefix = api\n[api]\nworkers = 3\n');
    override(dep.configDir, 'zun/localhost/zun.conf', '[DEFAULT]\ndebug = False\n');
    override(dep.configDir, 'zun/otherhost/zun.conf', '[DEFAULT]\nreport_interval = 99\n');
    const r = renderHost(dep, 'localhost');
    const api = load(file(r, 'zun-api/zun.conf')).conf;
    const conductor = load(file(r, 'zun-conductor/zun.conf')).conf;
    assert.equal(api.redis.key_prefix, 'api');
    assert.equal(conductor.redis.key_prefix, 'zun');
    assert.equal(api.api.workers, 3);
    assert.equal(api.quota.containers, 7);
    assert.equal(conductor.DEFAULT.debug, false, 'the host file comes last');
    assert.equal(conductor.DEFAULT.report_interval, 11, 'another host\'s file is not applied');
    const c = join(dep.configDir, 'config');
    assert.deepEqual(r.overrides['zun-api'], [join(c, 'global.conf'), join(c, 'zun.conf'), join(c, 'zun/zun-api.conf'), join(c, 'zun/localhost/zun.conf')]);
    assert.deepEqual(r.overrides['zun-conductor'], [join(c, 'global.conf'), join(c, 'zun.conf'), join(c, 'zun/localhost/zun.conf')]);
    // global.conf reaches keystone.conf too; zun.conf does not
    const ks = file(r, 'keystone/keystone.conf');
    assert.match(ks, /report_interval = 11/);
    assert.doesNotMatch(ks, /key_prefix = zun/);
  });

  void test('an operator\'s policy file is shipped to every Zun service; a bad override stops with file:line', () => {
    const dep = deployment();
    override(dep.configDir, 'zun/policy.yaml', '"container:create": "role:admin"\n');
    const r = renderHost(dep, 'localhost');
    assert.equal(file(r, 'zun-compute/policy.yaml'), '"container:create": "role:admin"\n');
    override(dep.configDir, 'zun.conf', '[redis]\nbroken line\n');
    assert.throws(() => renderHost(dep, 'localhost'), /config\/zun\.conf:2: expected "key = value"/);
  });

  void test('infrastructure files: my.cnf, redis.conf with requirepass, keystone.conf', () => {
    const r = renderHost(deployment(), 'localhost');
    assert.match(file(r, 'mariadb/my.cnf'), /\[mysqld\]\nbind-address = 192\.0\.2\.10\nport = 3306\n/);
    assert.match(file(r, 'redis/redis.conf'), new RegExp(`^bind 192\\.0\\.2\\.10\nport 6379\n[^]*requirepass ${PASSWORDS.redis_master_password}\n`));
    assert.match(file(r, 'keystone/keystone.conf'), new RegExp(`connection = mysql\\+pymysql://keystone:${PASSWORDS.keystone_database_password}@192\\.0\\.2\\.10:3306/keystone`));
  });

  void test('multinode: compute hosts get zun-compute only; backends are the first host of their group', () => {
    const dep = deployment(MULTINODE, 'kolla_internal_vip_address: 10.0.0.250\n');
    const cmp = renderHost(dep, 'cmp02');
    assert.deepEqual(cmp.services, ['zun-compute']);
    const conf = load(file(cmp, 'zun-compute/zun.conf')).conf;
    assert.equal(conf.DEFAULT.host, 'cmp02');
    assert.match(conf.redis.url, /@10\.0\.0\.11:6379\/0$/);
    const ctl2 = load(file(renderHost(dep, 'ctl2'), 'zun-api/zun.conf')).conf;
    assert.equal(ctl2.api.host_ip, '10.0.0.12');
    assert.equal(ctl2.database.connection.endsWith('@10.0.0.11:3306/zun'), true);
  });

  void test('existing backends: explicit addresses win; a disabled backend without an address is an error', () => {
    const ext = deployment(undefined, 'kolla_internal_vip_address: 192.0.2.10\nenable_mariadb: no\ndatabase_address: db.example\ndatabase_port: 3307\nenable_redis: no\nredis_address: 10.9.9.9\nenable_keystone: no\nkeystone_internal_url: http://ks.example:5000\n');
    const e = endpoints(ext);
    assert.deepEqual([e.databaseHost, e.databasePort, e.redisHost, e.keystoneInternal], ['db.example', 3307, '10.9.9.9', 'http://ks.example:5000']);
    const r = renderHost(ext, 'localhost');
    assert.deepEqual(r.services, ['zun-conductor', 'zun-scheduler', 'zun-api', 'zun-wsproxy', 'zun-compute']);
    assert.equal(load(file(r, 'zun-api/zun.conf')).conf.redis.url, 'redis://10.9.9.9:6379/0', 'no password for a Redis we did not deploy');
    const bad = deployment(undefined, 'kolla_internal_vip_address: 192.0.2.10\nenable_mariadb: no\n');
    assert.throws(() => endpoints(bad), /globals\.yml: database_address must be set when the tool does not deploy it/);
  });

  void test('writeRendered: directories 0770, files 0660, and files of an earlier render that are gone are removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etc-kolla-'));
    const dep = deployment();
    override(dep.configDir, 'zun/policy.yaml', 'x: y\n');
    writeRendered(dir, renderHost(dep, 'localhost').files);
    assert.equal(statSync(join(dir, 'zun-api')).mode & 0o777, 0o770);
    assert.equal(statSync(join(dir, 'zun-api/zun.conf')).mode & 0o777, 0o660);
    assert.ok(existsSync(join(dir, 'zun-api/policy.yaml')));
    writeFileSync(join(dir, 'zun-api/leftover.conf'), '');
    // the operator removed the policy file: a fresh config dir without it
    writeRendered(dir, renderHost(deployment(), 'localhost').files);
    assert.equal(existsSync(join(dir, 'zun-api/policy.yaml')), false);
    assert.equal(existsSync(join(dir, 'zun-api/leftover.conf')), false);
    assert.ok(readFileSync(join(dir, 'zun-api/config.json'), 'utf8').includes('"command"'));
  });
});
