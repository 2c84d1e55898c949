import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIni } from './ini.parser';

void describe('parseIni', () => {
  void test('reads sections, key = value and key: value, skipping comments and blank lines', () => {
    const doc = parseIni([
      '# a comment',
      '; another comment',
      '',
      '[DEFAULT]',
      'host = h1   ',
      '  debug=true',
      '[api]',
      'port: 9999',
      'connection = mysql://u:p@db:3306/zun',
      '[empty]',
    ].join('\n'));
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(doc.sections, ['DEFAULT', 'api', 'empty']);
    assert.deepEqual(
      doc.entries.map((e) => [e.section, e.key, e.value, e.line]),
      [
        ['DEFAULT', 'host', 'h1', 5],
        ['DEFAULT', 'debug', 'true', 6],
        ['api', 'port', '9999', 8],
        ['api', 'connection', 'mysql://u:p@db:3306/zun', 9],
      ],
    );
  });

  void test('keeps # inside values, strips one pair of matching quotes, handles CRLF', () => {
    const doc = parseIni('[a]\r\npassword = s3#cr;et\r\nq = "quoted value"\r\nr = \'x\'\r\nhalf = "open\r\nempty =\r\n');
    assert.deepEqual(doc.entries.map((e) => e.value), ['s3#cr;et', 'quoted value', 'x', '"open', '']);
  });

  void test('the first separator wins, so URLs with colons survive', () => {
    const doc = parseIni('[a]\nurl = redis://h:1/0\nk: v = w\n');
    assert.deepEqual(doc.entries.map((e) => [e.key, e.value]), [['url', 'redis://h:1/0'], ['k', 'v = w']]);
  });

  void test('reports malformed lines with their line numbers', () => {
    const doc = parseIni('orphan = 1\n[ok]\nno separator here\n[]\n= value\n');
    assert.deepEqual(doc.errors.map((e) => e.line), [1, 3, 4, 5]);
    assert.match(doc.errors[0]?.reason ?? '', /before any \[section\]/);
    assert.equal(doc.entries.length, 0);
  });
});
