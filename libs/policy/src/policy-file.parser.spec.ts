import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULES, samplePolicyYaml } from './default.rules';
import { parsePolicyFile, PolicyFileError } from './policy-file.parser';

describe('parsePolicyFile', () => {
  test('YAML: quoted and plain keys and values, comments, document markers', () => {
    const text = [
      '---',
      '# a comment',
      '"container:create": "rule:admin_or_owner"',
      "'image:pull': 'role:admin or role:it''s'",
      'host:get_all: role:admin   # trailing comment',
      '#"container:delete": "rule:admin_api"',
      '',
      'zun-service:get_all: ""',
      '"x": "a \\"quoted\\" \\u0041"  # c',
    ].join('\n');
    const rules = parsePolicyFile(text, 'p.yaml');
    assert.deepEqual([...rules], [
      ['container:create', 'rule:admin_or_owner'],
      ['image:pull', "role:admin or role:it's"],
      ['host:get_all', 'role:admin'],
      ['zun-service:get_all', ''],
      ['x', 'a "quoted" A'],
    ]);
  });

  test('an empty or comment-only file has no rules', () => {
    assert.equal(parsePolicyFile('', 'p').size, 0);
    assert.equal(parsePolicyFile('# nothing\n{}\n', 'p').size, 0);
  });

  test('JSON, including the list form', () => {
    const rules = parsePolicyFile('{\n "a": "role:x",\n "b": [["role:y"]]\n}\n', 'p.json');
    assert.equal(rules.get('a'), 'role:x');
    assert.deepEqual(rules.get('b'), [['role:y']]);
  });

  test('unsupported YAML is refused with the line number', () => {
    assert.throws(() => parsePolicyFile('a: b\nnested:\n  c: d\n', 'p.yaml'), (e: unknown) => e instanceof PolicyFileError && /line 2/.test(e.message));
    assert.throws(() => parsePolicyFile('a: |\n  text\n', 'p.yaml'), /line 1/);
    assert.throws(() => parsePolicyFile('"a": "unterminated\n', 'p.yaml'), /unterminated/);
    assert.throws(() => parsePolicyFile('just text\n', 'p.yaml'), /line 1/);
    assert.throws(() => parsePolicyFile('{"a": 1}', 'p.json'), /must be a string/);
    assert.throws(() => parsePolicyFile('{"a": ', 'p.json'), /invalid JSON/);
  });
});

describe('samplePolicyYaml', () => {
  test('is all comments as written, and the defaults once uncommented', () => {
    const sample = samplePolicyYaml();
    assert.equal(parsePolicyFile(sample, 'sample').size, 0);
    const uncommented = sample.split('\n').map((l) => (l.startsWith('#"') ? l.slice(1) : l)).join('\n');
    const rules = parsePolicyFile(uncommented, 'sample');
    assert.deepEqual([...rules], DEFAULT_RULES.map((r) => [r.name, r.check]));
  });
});
