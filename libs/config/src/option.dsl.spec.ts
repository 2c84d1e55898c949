import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bool, enumOf, float, int, list, parseBool, port, secret, str } from './option.dsl';

void describe('option types', () => {
  void test('bool accepts true/false, yes/no, on/off, 1/0 in any case', () => {
    for (const t of ['true', 'TRUE', 'Yes', 'on', '1']) assert.equal(parseBool(t), true, t);
    for (const f of ['false', 'False', 'NO', 'off', '0']) assert.equal(parseBool(f), false, f);
    const o = bool({ default: false, help: 'h' });
    assert.deepEqual(o.parse('Yes'), { ok: true, value: true });
    const bad = o.parse('maybe');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.reason, /'maybe' is not a boolean/);
  });

  void test('int parses whole numbers and enforces min/max', () => {
    const o = int({ default: 1, min: 1, max: 10, help: 'h' });
    assert.deepEqual(o.parse('7'), { ok: true, value: 7 });
    assert.deepEqual(o.parse('+3'), { ok: true, value: 3 });
    assert.deepEqual(o.parse('abc'), { ok: false, reason: "'abc' is not an integer" });
    assert.deepEqual(o.parse('1.5'), { ok: false, reason: "'1.5' is not an integer" });
    assert.deepEqual(o.parse('0'), { ok: false, reason: '0 is below the minimum 1' });
    assert.deepEqual(o.parse('11'), { ok: false, reason: '11 is above the maximum 10' });
    assert.equal(o.parse('99999999999999999999').ok, false);
  });

  void test('port accepts 0..65535 only', () => {
    const o = port({ default: 80, help: 'h' });
    assert.deepEqual(o.parse('0'), { ok: true, value: 0 });
    assert.deepEqual(o.parse('65535'), { ok: true, value: 65535 });
    assert.deepEqual(o.parse('65536'), { ok: false, reason: '65536 is not a valid port (0-65535)' });
    assert.deepEqual(o.parse('-1'), { ok: false, reason: '-1 is not a valid port (0-65535)' });
    assert.equal(o.kind, 'port');
  });

  void test('float parses decimals and enforces bounds', () => {
    const o = float({ default: 0.5, min: 0, max: 1, help: 'h' });
    assert.deepEqual(o.parse('0.25'), { ok: true, value: 0.25 });
    assert.deepEqual(o.parse('1'), { ok: true, value: 1 });
    assert.deepEqual(o.parse('.5'), { ok: true, value: 0.5 });
    assert.deepEqual(o.parse('1e-1'), { ok: true, value: 0.1 });
    assert.deepEqual(o.parse('x1'), { ok: false, reason: "'x1' is not a number" });
    assert.deepEqual(o.parse('1.5'), { ok: false, reason: '1.5 is above the maximum 1' });
  });

  void test('list splits on commas, trims and drops empty items', () => {
    const o = list({ default: ['a'], help: 'h' });
    assert.deepEqual(o.parse(' a , b,,c '), { ok: true, value: ['a', 'b', 'c'] });
    assert.deepEqual(o.parse(''), { ok: true, value: [] });
    assert.deepEqual(o.default(), ['a']);
  });

  void test('enumOf accepts only its choices', () => {
    const o = enumOf(['keystone', 'noauth'], { default: 'keystone', help: 'h' });
    assert.deepEqual(o.parse('noauth'), { ok: true, value: 'noauth' });
    assert.deepEqual(o.parse('Noauth'), { ok: false, reason: "'Noauth' is not one of: keystone, noauth" });
    assert.deepEqual(o.choices, ['keystone', 'noauth']);
  });

  void test('str with default null is nullable and reads an empty value as null', () => {
    const o = str({ default: null, help: 'h' });
    assert.equal(o.nullable, true);
    assert.equal(o.default(), null);
    assert.deepEqual(o.parse(''), { ok: true, value: null });
    assert.deepEqual(o.parse('x'), { ok: true, value: 'x' });
    const plain = str({ default: 'd', help: 'h' });
    assert.equal(plain.nullable, false);
    assert.deepEqual(plain.parse(''), { ok: true, value: '' });
  });

  void test('str check reports its reason; lazy defaults are computed on each call', () => {
    const o = str({ default: 'ok', help: 'h', check: (v) => (v.startsWith('x') ? 'starts with x' : undefined) });
    assert.deepEqual(o.parse('xy'), { ok: false, reason: 'starts with x' });
    let n = 0;
    const lazy = int({ default: () => ++n, help: 'h' });
    assert.equal(lazy.default(), 1);
    assert.equal(lazy.default(), 2);
  });

  void test('secret marks an option without changing how it parses', () => {
    const o = secret(str({ default: null, help: 'h' }));
    assert.equal(o.secret, true);
    assert.deepEqual(o.parse('pw'), { ok: true, value: 'pw' });
  });
});
