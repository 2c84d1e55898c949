import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOpenrc, parseShow, parseTable } from './zun-cli';

const LIST = `+--------------------------------------+-------+---------+---------+------------+------------+-------+
| uuid                                 | name  | image   | status  | task_state | addresses  | ports |
+--------------------------------------+-------+---------+---------+------------+------------+-------+
| 9f76ea55-3037-4563-8cb3-1357c383a01b | hello | busybox | Stopped | None       |            | []    |
| 0e47a477-8f3c-4a0d-90aa-214773fd4c91 | sl    | busybox | Running | None       | 172.17.0.2 | []    |
+--------------------------------------+-------+---------+---------+------------+------------+-------+
`;

const SHOW = `+------------------+---------------------------------------+
| Property         | Value                                 |
+------------------+---------------------------------------+
| uuid             | 60467979-92c0-45cd-9dbb-1ae7a56b2480  |
| hostname         | zsim1                                 |
| command          | sh -c 'echo a | tr a b'               |
| environment      | A=1                                   |
|                  | B=2                                   |
| labels           | {}                                    |
| status_reason    |                                       |
+------------------+---------------------------------------+
`;

void describe('parseTable', () => {
  test('keys each row by the header', () => {
    const rows = parseTable(LIST);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1], {
      uuid: '0e47a477-8f3c-4a0d-90aa-214773fd4c91',
      name: 'sl',
      image: 'busybox',
      status: 'Running',
      task_state: 'None',
      addresses: '172.17.0.2',
      ports: '[]',
    });
    assert.equal(rows[0]?.['addresses'], '');
  });

  test('reads only the first table and ignores text around it', () => {
    const out = `Request to delete container x has been accepted.\n${LIST}\n+----+\n| Id |\n+----+\n| 99 |\n+----+\n`;
    const rows = parseTable(out);
    assert.deepEqual(rows.map((r) => r['name']), ['hello', 'sl']);
  });

  test('keeps a | inside a cell (columns are cut at the border positions)', () => {
    const out = `+----+---------------+
| Id | Command       |
+----+---------------+
| 1  | echo a | wc   |
+----+---------------+`;
    assert.deepEqual(parseTable(out), [{ Id: '1', Command: 'echo a | wc' }]);
  });

  test('joins a multi-line cell with line breaks', () => {
    const out = `+----+-----------+
| Id | addresses |
+----+-----------+
| 1  | 10.0.0.2  |
|    | 10.0.0.3  |
| 2  |           |
+----+-----------+`;
    assert.deepEqual(parseTable(out), [
      { Id: '1', addresses: '10.0.0.2\n10.0.0.3' },
      { Id: '2', addresses: '' },
    ]);
  });

  test('no table gives no rows', () => {
    assert.deepEqual(parseTable('ERROR: Not Found (HTTP 404)\n'), []);
    assert.deepEqual(parseTable(''), []);
  });
});

void describe('parseShow', () => {
  test('gives a record of the Property/Value rows', () => {
    const rec = parseShow(SHOW);
    assert.equal(rec['uuid'], '60467979-92c0-45cd-9dbb-1ae7a56b2480');
    assert.equal(rec['hostname'], 'zsim1');
    assert.equal(rec['command'], "sh -c 'echo a | tr a b'");
    assert.equal(rec['labels'], '{}');
    assert.equal(rec['status_reason'], '');
    assert.equal(Object.keys(rec).length, 6);
  });

  test('joins a value wrapped over several lines', () => {
    assert.equal(parseShow(SHOW)['environment'], 'A=1\nB=2');
  });

  test('throws when there is no two-column table', () => {
    assert.throws(() => parseShow('ERROR: Container x could not be found. (HTTP 404)'), /no two-column Property\/Value table/);
    assert.throws(() => parseShow(LIST), /no two-column/);
  });
});

void describe('parseOpenrc', () => {
  test('reads the exported OS_ variables, without quotes', () => {
    const env = parseOpenrc(
      [
        '# demo user of the stack',
        'export OS_AUTH_URL=http://127.0.0.1:5000/v3',
        "export OS_USERNAME='demo'",
        'export OS_PASSWORD="p\\"w$x"',
        '  export OS_PROJECT_NAME=demo  ',
        'export NOT_OS=1',
        'OS_REGION_NAME=RegionOne',
      ].join('\n'),
    );
    assert.deepEqual(env, {
      OS_AUTH_URL: 'http://127.0.0.1:5000/v3',
      OS_USERNAME: 'demo',
      OS_PASSWORD: 'p"w$x',
      OS_PROJECT_NAME: 'demo',
    });
  });
});
