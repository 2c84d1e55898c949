import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Check, evaluate, type PolicyCredentials, type PolicyTarget } from './check';
import { parseRule, parseRuleList, PolicyRuleSyntaxError } from './rule.parser';

const member: PolicyCredentials = { user_id: 'u1', project_id: 'p1', roles: ['Member', 'reader'], is_admin: false };
const admin: PolicyCredentials = { user_id: 'a1', project_id: 'p0', roles: ['admin'], is_admin: true };
const rules = new Map<string, Check>([
  ['is_member', parseRule('role:member')],
  ['loop', parseRule('rule:loop')],
]);

function check(rule: string, creds: PolicyCredentials, target: PolicyTarget = { project_id: 'p1' }): boolean {
  return evaluate(parseRule(rule), target, creds, (n) => rules.get(n));
}

describe('parseRule', () => {
  test('empty rule and @ allow everybody, ! nobody', () => {
    assert.equal(check('', member), true);
    assert.equal(check('@', member), true);
    assert.equal(check('!', admin), false);
  });

  test('role checks ignore case and support substitution', () => {
    assert.equal(check('role:member', member), true);
    assert.equal(check('role:ADMIN', member), false);
    assert.equal(check('role:%(wanted)s', member, { wanted: 'reader' }), true);
    assert.equal(check('role:%(missing)s', member, {}), false);
  });

  test('generic checks compare credentials with the substituted target', () => {
    assert.equal(check('project_id:%(project_id)s', member), true);
    assert.equal(check('project_id:%(project_id)s', member, { project_id: 'p2' }), false);
    assert.equal(check('project_id:%(project_id)s', member, {}), false, 'missing target key denies');
    assert.equal(check('is_admin:True', admin), true);
    assert.equal(check('is_admin:True', member), false);
    assert.equal(check('is_admin:False', member), true);
    assert.equal(check('user_id:u1', member), true);
    assert.equal(check('nope:x', member), false);
  });

  test('literal kinds compare with the match', () => {
    assert.equal(check("'p1':%(project_id)s", member), true);
    assert.equal(check("'p9':%(project_id)s", member), false);
    assert.equal(check('True:%(flag)s', member, { flag: true }), true);
  });

  test('dotted credential paths walk objects and lists', () => {
    const creds: PolicyCredentials = { ...member, token: { roles: [{ name: 'x' }, { name: 'y' }] } };
    assert.equal(check('token.roles.name:y', creds), true);
    assert.equal(check('token.roles.name:z', creds), false);
  });

  test('rule: references resolve; unknown and cyclic references deny', () => {
    assert.equal(check('rule:is_member', member), true);
    assert.equal(check('rule:unknown', admin), false);
    assert.equal(check('rule:loop', admin), false);
  });

  test('not binds tighter than and, and tighter than or', () => {
    // a or b and c  ==  a or (b and c)
    assert.equal(check('@ or ! and !', member), true);
    // a and b or c  ==  (a and b) or c
    assert.equal(check('! and @ or @', member), true);
    assert.equal(check('not @ and @', member), false);
    assert.equal(check('not (! or !)', member), true);
    assert.equal(check('NOT role:admin AND role:member', member), true);
  });

  test('parentheses group, also when glued to checks', () => {
    assert.equal(check('(role:admin or role:member) and project_id:%(project_id)s', member), true);
    assert.equal(check('((role:admin)) or (! and @)', member), false);
    assert.equal(check('is_admin:True or (role:member and project_id:%(project_id)s)', member, { project_id: 'p2' }), false);
  });

  test('malformed rules are refused', () => {
    for (const bad of ['role:a and', '(role:a', 'role:a)', 'and role:a', 'role:a role:b', 'justaword', '"quoted"', 'http://x/y']) {
      assert.throws(() => parseRule(bad), PolicyRuleSyntaxError, bad);
    }
  });

  test('list form: outer or, inner and; empty list allows', () => {
    const c = parseRuleList([['role:admin'], ['role:member', 'project_id:%(project_id)s']]);
    assert.equal(evaluate(c, { project_id: 'p1' }, member, () => undefined), true);
    assert.equal(evaluate(c, { project_id: 'p2' }, member, () => undefined), false);
    assert.equal(evaluate(parseRuleList([]), {}, member, () => undefined), true);
  });
});
