import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deployment } from '../../tests/fixtures/deployments';
import { databaseSql, wantedDatabases } from './database';
import { demuxBuffer, healthSinceStart } from './host';
import { DeployStepError } from './rollout';

void describe('deploy helpers', () => {
  void test('database SQL is idempotent and quotes names and passwords', () => {
    assert.equal(
      databaseSql('zun', 'zun', "p'w\\x"),
      "CREATE DATABASE IF NOT EXISTS `zun` CHARACTER SET utf8mb4; CREATE USER IF NOT EXISTS 'zun'@'%' IDENTIFIED BY 'p\\'w\\\\x'; ALTER USER 'zun'@'%' IDENTIFIED BY 'p\\'w\\\\x'; GRANT ALL PRIVILEGES ON `zun`.* TO 'zun'@'%';",
    );
  });

  void test('the databases follow the enabled services', () => {
    const all = deployment();
    assert.deepEqual(wantedDatabases(all).map(([db, user]) => `${db}/${user}`), ['keystone/keystone', 'zun/zun']);
    const noKs = deployment(undefined, 'kolla_internal_vip_address: 192.0.2.10\nenable_keystone: no\nkeystone_internal_url: http://ks:5000\n');
    assert.deepEqual(wantedDatabases(noKs).map(([db]) => db), ['zun']);
  });

  void test('health as of the last start: a restarted container is not healthy before a probe of its new run', () => {
    const log = (start: string) => ({ Start: start });
    assert.equal(healthSinceStart({ Status: 'healthy', Log: [log('2026-12-02T10:00:01.5Z')] }, '2026-12-02T10:00:00.000000001Z'), 'healthy');
    assert.equal(healthSinceStart({ Status: 'healthy', Log: [log('2026-12-02T10:00:01Z')] }, '2026-12-02T10:00:05.123456789Z'), 'starting');
    assert.equal(healthSinceStart({ Status: 'unhealthy', Log: [] }, '2026-12-02T10:00:05Z'), 'unhealthy');
    assert.equal(healthSinceStart(undefined, '2026-12-02T10:00:05Z'), null);
  });

  void test('a failed step names host, service and step, then the last log lines', () => {
    const e = new DeployStepError('ctl1', 'zun-api', 'wait for healthy', 'zun_api is unhealthy', 'line 1\nline 2');
    assert.equal(e.message, 'host ctl1, zun-api, wait for healthy: zun_api is unhealthy\n--- last lines of its log ---\nline 1\nline 2');
  });

  void test("Docker's multiplexed log frames become text; plain text stays", () => {
    const frame = (kind: number, text: string): Buffer => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = kind;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    assert.equal(demuxBuffer(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')])), 'out\nerr\n');
    assert.equal(demuxBuffer(Buffer.from('tty text\n')), 'tty text\n');
  });
});
