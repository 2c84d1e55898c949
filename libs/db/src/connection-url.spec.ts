import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '@zun-ts/common';
import { parseConnectionUrl, redactConnection } from './connection-url';

void describe('parseConnectionUrl', () => {
  void test('sqlite with three or four slashes is an absolute path', () => {
    assert.deepEqual(parseConnectionUrl('sqlite:///var/lib/zun/zun.sqlite'), { kind: 'sqlite', path: '/var/lib/zun/zun.sqlite' });
    assert.deepEqual(parseConnectionUrl('sqlite:////var/lib/zun/zun.sqlite'), { kind: 'sqlite', path: '/var/lib/zun/zun.sqlite' });
    assert.deepEqual(parseConnectionUrl('sqlite:///tmp/a%20b.db?timeout=5'), { kind: 'sqlite', path: '/tmp/a b.db' });
  });

  void test('sqlite in memory', () => {
    assert.deepEqual(parseConnectionUrl('sqlite:///:memory:'), { kind: 'sqlite', path: ':memory:' });
    assert.deepEqual(parseConnectionUrl('sqlite://'), { kind: 'sqlite', path: ':memory:' });
  });

  void test('mysql and mysql+pymysql, query parameters ignored', () => {
    const want = { kind: 'mysql', host: 'db.example', port: 3307, user: 'zun', password: 'p@ss:w/rd', database: 'zun' };
    assert.deepEqual(parseConnectionUrl('mysql+pymysql://zun:p%40ss%3Aw%2Frd@db.example:3307/zun?charset=utf8'), want);
    assert.deepEqual(parseConnectionUrl('mysql://zun:p%40ss%3Aw%2Frd@db.example:3307/zun'), want);
  });

  void test('mysql defaults: port 3306, no password', () => {
    assert.deepEqual(parseConnectionUrl('mysql://root@127.0.0.1/zun'), {
      kind: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
      database: 'zun',
    });
  });

  void test('a unix_socket parameter is honoured', () => {
    const t = parseConnectionUrl('mysql+pymysql://zun:x@localhost/zun?unix_socket=/run/mysqld/mysqld.sock');
    assert.equal(t.kind === 'mysql' && t.socketPath, '/run/mysqld/mysqld.sock');
  });

  void test('bad URLs are ConfigErrors that do not leak the password', () => {
    for (const bad of [
      'postgresql://zun:secret@h/zun',
      'zun.sqlite',
      'sqlite://relative.db',
      'mysql://zun:secret@h',
      'mysql://zun:secret@h/a/b',
    ]) {
      assert.throws(
        () => parseConnectionUrl(bad),
        (e: unknown) => e instanceof ConfigError && /^\[database\] connection: /.test(e.message) && !e.message.includes('secret'),
        bad,
      );
    }
  });
});

void describe('redactConnection', () => {
  void test('hides the password only', () => {
    assert.equal(redactConnection('mysql+pymysql://zun:secret@db:3306/zun'), 'mysql+pymysql://zun:***@db:3306/zun');
    assert.equal(redactConnection('mysql://zun:p@ss@db/zun'), 'mysql://zun:***@db/zun');
    assert.equal(redactConnection('mysql://zun@db/zun'), 'mysql://zun@db/zun');
    assert.equal(redactConnection('sqlite:////var/lib/zun/zun.sqlite'), 'sqlite:////var/lib/zun/zun.sqlite');
  });
});
