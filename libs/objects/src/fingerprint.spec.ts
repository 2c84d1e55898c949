import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectFingerprint, ZUN_OBJECTS, type ZunObjectName } from './envelope';
import { field, type FieldTable } from './fields';
import { PINNED_OBJECT_FINGERPRINTS } from './object-fingerprints';

const PINNED = PINNED_OBJECT_FINGERPRINTS;

void test('object fingerprints match their pinned VERSION', () => {
  const actual = Object.fromEntries(
    (Object.keys(ZUN_OBJECTS) as ZunObjectName[]).map((name) => [name, objectFingerprint(ZUN_OBJECTS[name])]),
  );
  assert.deepEqual(actual, PINNED, 'fields changed: bump VERSION and update the pinned fingerprint');
});

void test('every definition is registered under its own name with a major.minor VERSION', () => {
  for (const [name, def] of Object.entries(ZUN_OBJECTS)) {
    assert.equal(def.name, name);
    assert.match(def.VERSION, /^\d+\.\d+$/);
  }
});

void test('the fingerprint changes with a field, its type, nullability or default', () => {
  const base = { name: 'X', VERSION: '1.0', fields: { a: field.integer(), b: field.string({ nullable: true }) } };
  const fp = objectFingerprint(base);
  assert.match(fp, /^1\.0-[0-9a-f]{32}$/);
  const variants = [
    { ...base, fields: { ...base.fields, c: field.boolean() } },
    { ...base, fields: { a: field.float(), b: base.fields.b } },
    { ...base, fields: { a: field.integer({ nullable: true }), b: base.fields.b } },
    { ...base, fields: { a: field.integer({ default: 1 }), b: base.fields.b } },
    { ...base, fields: { a: base.fields.a, b: field.enum(['x'], { nullable: true }) } },
  ];
  for (const v of variants) assert.notEqual(objectFingerprint(v), fp);
  // declaration order does not matter
  assert.equal(objectFingerprint({ ...base, fields: { b: base.fields.b, a: base.fields.a } }), fp);
});

void test('field tables are checked against their interface at compile time', () => {
  interface T {
    n: number;
    s: string | null;
  }
  const ok: FieldTable<T> = { n: field.integer(), s: field.string({ nullable: true }) };
  // @ts-expect-error nullability must match the interface
  const badNull: FieldTable<T> = { n: field.integer(), s: field.string() };
  // @ts-expect-error wire type must match the interface
  const badType: FieldTable<T> = { n: field.string(), s: field.string({ nullable: true }) };
  // @ts-expect-error every property needs a declaration
  const missing: FieldTable<T> = { n: field.integer() };
  assert.equal(Object.keys(ok).length + Object.keys(badNull).length + Object.keys(badType).length + Object.keys(missing).length, 7);
});
