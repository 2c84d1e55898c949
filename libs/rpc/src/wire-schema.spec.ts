import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectFingerprint, PINNED_OBJECT_FINGERPRINTS, ZUN_OBJECTS } from '@zun-ts/objects';
import { COMPUTE } from './contracts/compute.contract';
import { CONDUCTOR } from './contracts/conductor.contract';
import { SCHEDULER } from './contracts/scheduler.contract';
import { OBJECTS_ON_THE_WIRE, s, WireDecodeError } from './wire-schema';

const roundTrip = <T>(schema: { encode(v: T): unknown; decode(w: unknown, p: string): T }, v: T): T =>
  schema.decode(JSON.parse(JSON.stringify(schema.encode(v))) as unknown, 'v');

test('dates travel as ISO strings and come back as dates', () => {
  const when = new Date('2024-01-01T00:00:00.000Z');
  const sch = s.object({ when: s.date(), maybe: s.nullable(s.date()) });
  assert.deepEqual(sch.encode({ when, maybe: null }), { when: '2024-01-01T00:00:00.000Z', maybe: null });
  assert.deepEqual(roundTrip(sch, { when, maybe: when }), { when, maybe: when });
  assert.throws(() => s.date().decode('yesterday', 'args.when'), /args\.when: expected an ISO-8601 date/);
});

test('objects are closed, members required unless optional; errors name the path and what was expected', () => {
  const sch = s.object({ id: s.string(), n: s.optional(s.integer()), tags: s.array(s.literal('a', 'b')) });
  assert.deepEqual(sch.decode({ id: 'x', tags: ['a'] }, 'args'), { id: 'x', tags: ['a'] });
  assert.deepEqual(roundTrip(sch, { id: 'x', n: 2, tags: [] }), { id: 'x', n: 2, tags: [] });
  const cases: [unknown, RegExp][] = [
    [{ tags: [] }, /^args\.id: expected a string, got undefined$/],
    [{ id: 'x', tags: [], extra: 1 }, /^args\.extra: expected no such member/],
    [{ id: 'x', n: 1.5, tags: [] }, /^args\.n: expected an integer/],
    [{ id: 'x', tags: ['c'] }, /^args\.tags\[0\]: expected one of "a", "b"/],
    [[], /^args: expected an object/],
  ];
  for (const [wire, msg] of cases) {
    assert.throws(() => sch.decode(wire, 'args'), (e: unknown) => e instanceof WireDecodeError && msg.test(e.message), JSON.stringify(wire));
  }
});

test('records, json and partial object fields', () => {
  assert.deepEqual(s.record(s.string()).decode({ a: 'b' }, 'h'), { a: 'b' });
  assert.throws(() => s.record(s.string()).decode({ a: 1 }, 'h'), /h\.a: expected a string/);
  assert.deepEqual(s.json('a JSON object').decode({ cpu: [1, { x: null }] }, 'r'), { cpu: [1, { x: null }] });
  assert.throws(() => s.json('a JSON object').decode([1], 'r'), WireDecodeError);
  const patch = s.partialOf('Container', ['status', 'started_at', 'labels', 'cpu'] as const);
  const started = new Date('2024-05-01T10:00:00.000Z');
  assert.deepEqual(roundTrip(patch, { status: 'Running', started_at: started }), { status: 'Running', started_at: started });
  assert.throws(() => patch.decode({ status: 'Sleeping' }, 'args.patch'), /args\.patch\.status: expected one of/);
  assert.throws(() => patch.decode({ host: 'other' }, 'args.patch'), /args\.patch\.host: expected no such member/);
  assert.throws(() => patch.decode({ cpu: 'lots' }, 'args.patch'), /args\.patch\.cpu: expected a finite number/);
});

test('a zunObject travels in the versioned envelope and is checked on arrival', () => {
  const svc = { id: 1, host: 'h', binary: 'zun-compute', topic: 'compute.h', report_count: 0, disabled: false, disabled_reason: null,
    last_seen_up: null, forced_down: false, availability_zone: null, created_at: new Date('2024-01-01T00:00:00.000Z'), updated_at: null };
  const sch = s.zunObject('ZunService');
  const wire = sch.encode(svc) as Record<string, unknown>;
  assert.equal(wire['zun_object.name'], 'ZunService');
  assert.equal(wire['zun_object.version'], ZUN_OBJECTS.ZunService.VERSION);
  assert.deepEqual(roundTrip(sch, svc), svc);
  assert.throws(() => sch.decode({ ...wire, 'zun_object.version': '2.0' }, 'result'), /result: expected a ZunService object envelope/);
  assert.throws(() => s.zunObject('Container').decode(wire, 'result'), WireDecodeError);
});

test('the descriptors send the pinned versions of the objects they carry', () => {
  // Importing the descriptors built their schemas: every object they carry is listed.
  assert.deepEqual([CONDUCTOR.name, SCHEDULER.name, COMPUTE.name], ['conductor', 'scheduler', 'compute']);
  assert.deepEqual([...OBJECTS_ON_THE_WIRE.keys()].sort(), ['Container', 'Image', 'Network', 'NetworkPort', 'Volume', 'VolumeMapping', 'ZunService']);
  for (const [name, version] of OBJECTS_ON_THE_WIRE) {
    const pinned = PINNED_OBJECT_FINGERPRINTS[name];
    assert.equal(objectFingerprint(ZUN_OBJECTS[name]), pinned, `${name} changed without a version bump`);
    assert.equal(`${version}-`, pinned.slice(0, version.length + 1), `${name} is sent as ${version}, pinned is ${pinned}`);
  }
});
