import { createHash } from 'node:crypto';
import { registerError, ZunError } from '@zun-ts/common';
import { type ComputeNode, ComputeNodeObject } from './compute-node.object';
import {
  type ContainerAction,
  type ContainerActionEvent,
  ContainerActionEventObject,
  ContainerActionObject,
} from './container-action.object';
import { type Container, ContainerObject } from './container.object';
import { type ExecInstance, ExecInstanceObject } from './exec-instance.object';
import { type FieldSpec, type JsonObject, type JsonValue, type ObjectDef } from './fields';
import { type Image, ImageObject } from './image.object';
import { type Quota, type QuotaClass, QuotaClassObject, QuotaObject } from './quota.object';
import { type Registry, RegistryObject } from './registry.object';
import { type VolumeMapping, VolumeMappingObject } from './volume-mapping.object';
import { type Volume, VolumeObject } from './volume.object';
import { type Network, NetworkObject, type NetworkPort, NetworkPortObject } from './network.object';
import { type ZunService, ZunServiceObject } from './zun-service.object';

/** Every versioned object type, by wire name. */
export interface ZunObjectTypes {
  ZunService: ZunService;
  ComputeNode: ComputeNode;
  Container: Container;
  ContainerAction: ContainerAction;
  ContainerActionEvent: ContainerActionEvent;
  Quota: Quota;
  QuotaClass: QuotaClass;
  ExecInstance: ExecInstance;
  Image: Image;
  VolumeMapping: VolumeMapping;
  Volume: Volume;
  Network: Network;
  NetworkPort: NetworkPort;
  Registry: Registry;
}
/** Wire name of a versioned object type. */
export type ZunObjectName = keyof ZunObjectTypes;

/** The definitions of all object types, by wire name. */
export const ZUN_OBJECTS: { readonly [N in ZunObjectName]: ObjectDef<ZunObjectTypes[N], N> } = {
  ZunService: ZunServiceObject,
  ComputeNode: ComputeNodeObject,
  Container: ContainerObject,
  ContainerAction: ContainerActionObject,
  ContainerActionEvent: ContainerActionEventObject,
  Quota: QuotaObject,
  QuotaClass: QuotaClassObject,
  ExecInstance: ExecInstanceObject,
  Image: ImageObject,
  VolumeMapping: VolumeMappingObject,
  Volume: VolumeObject,
  Network: NetworkObject,
  NetworkPort: NetworkPortObject,
  Registry: RegistryObject,
};

/** An object as it crosses RPC: plain JSON, datetimes as ISO-8601 UTC strings. */
export interface ObjectEnvelope<N extends string = ZunObjectName> {
  'zun_object.name': N;
  /** "major.minor" of the sender's definition. */
  'zun_object.version': string;
  'zun_object.data': JsonObject;
}

/** The envelope's object type is unknown to this process. */
export class UnsupportedObjectError extends ZunError {
  readonly status = 500;
}
/** The sender's major version differs from ours: the data cannot be read safely. */
export class IncompatibleObjectVersion extends ZunError {
  readonly status = 500;
}
/** The envelope or one of its fields does not match the declared field types. */
export class InvalidObjectData extends ZunError {
  readonly status = 500;
}
for (const cls of [UnsupportedObjectError, IncompatibleObjectVersion, InvalidObjectData]) registerError(cls);

function parseVersion(v: unknown, what: string): [number, number] {
  const m = typeof v === 'string' ? /^(\d+)\.(\d+)$/.exec(v) : null;
  if (!m) throw new InvalidObjectData(`${what}: bad version ${JSON.stringify(v)}, expected "major.minor"`);
  return [Number(m[1]), Number(m[2])];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function checkValue(objName: string, key: string, spec: FieldSpec, v: unknown): void {
  const bad = (why: string): never => {
    throw new InvalidObjectData(`${objName}.${key}: ${why}`);
  };
  if (v === null) {
    if (!spec.nullable) bad('must not be null');
    return;
  }
  switch (spec.type) {
    case 'integer':
      if (!Number.isSafeInteger(v)) bad(`expected an integer, got ${JSON.stringify(v)}`);
      return;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) bad(`expected a number, got ${JSON.stringify(v)}`);
      return;
    case 'string':
      if (typeof v !== 'string') bad(`expected a string, got ${typeof v}`);
      if (spec.values && !spec.values.includes(v as string)) bad(`unknown value ${JSON.stringify(v)}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') bad(`expected a boolean, got ${typeof v}`);
      return;
    case 'datetime':
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) bad('expected a valid Date');
      return;
    case 'dict':
      if (!isPlainObject(v)) bad('expected an object');
      return;
    case 'list':
      if (!Array.isArray(v)) bad('expected an array');
      return;
  }
}

function toJson(v: unknown): JsonValue {
  if (v instanceof Date) return v.toISOString();
  // dict/list fields: a deep copy that also proves the value is JSON
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function fromJson(objName: string, key: string, spec: FieldSpec, v: unknown): unknown {
  if (spec.type === 'datetime' && typeof v === 'string') {
    if (!ISO_UTC.test(v)) throw new InvalidObjectData(`${objName}.${key}: expected an ISO-8601 UTC datetime`);
    return new Date(v);
  }
  if ((spec.type === 'dict' || spec.type === 'list') && v !== null && typeof v === 'object') {
    return JSON.parse(JSON.stringify(v)) as unknown;
  }
  return v;
}

/**
 * Wraps an object for RPC. Every declared field must be present and of its declared type
 * (throws {@link InvalidObjectData}); properties that are not declared fields are left out.
 */
export function toEnvelope<N extends ZunObjectName>(name: N, obj: ZunObjectTypes[N]): ObjectEnvelope<N> {
  const def = ZUN_OBJECTS[name] as ObjectDef<ZunObjectTypes[N], N> | undefined;
  if (!def) throw new UnsupportedObjectError(`Unsupported object type ${String(name)}`);
  const src = obj as unknown as Record<string, unknown>;
  const data: JsonObject = {};
  for (const [key, spec] of Object.entries(def.fields) as [string, FieldSpec][]) {
    const v = src[key];
    if (v === undefined) throw new InvalidObjectData(`${name}.${key}: missing`);
    checkValue(name, key, spec, v);
    data[key] = v === null ? null : toJson(v);
  }
  return { 'zun_object.name': name, 'zun_object.version': def.VERSION, 'zun_object.data': data };
}

/** An unwrapped object of any type, tagged with its name. */
export type AnyZunObject = { [N in ZunObjectName]: { name: N; object: ZunObjectTypes[N] } }[ZunObjectName];

function unwrap(env: unknown): AnyZunObject {
  if (!isPlainObject(env)) throw new InvalidObjectData('object envelope must be a JSON object');
  const name = env['zun_object.name'];
  if (typeof name !== 'string' || !Object.hasOwn(ZUN_OBJECTS, name)) {
    throw new UnsupportedObjectError(`Unsupported object type ${JSON.stringify(name)}`);
  }
  const def = ZUN_OBJECTS[name as ZunObjectName] as ObjectDef<unknown, string>;
  const [major] = parseVersion(env['zun_object.version'], name);
  const [ourMajor] = parseVersion(def.VERSION, name);
  if (major !== ourMajor) {
    throw new IncompatibleObjectVersion(
      `Version ${String(env['zun_object.version'])} of ${name} is not supported, supported version is ${def.VERSION}`,
    );
  }
  const data = env['zun_object.data'];
  if (!isPlainObject(data)) throw new InvalidObjectData(`${name}: zun_object.data must be a JSON object`);
  // Fields we do not declare (sent by a newer minor) are dropped; fields we declare but an older minor
  // did not send take their default, else null.
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(def.fields) as [string, FieldSpec][]) {
    let v: unknown = data[key];
    if (v === undefined) {
      if (spec.default !== undefined) v = spec.default;
      else if (spec.nullable) v = null;
      else throw new InvalidObjectData(`${name}.${key}: missing`);
    }
    v = fromJson(name, key, spec, v);
    checkValue(name, key, spec, v);
    out[key] = v;
  }
  return { name, object: out } as unknown as AnyZunObject;
}

/**
 * Reads an envelope. Same major version: accepted (an older minor's missing fields get defaults, a newer
 * minor's extra fields are dropped). Different major → {@link IncompatibleObjectVersion}; unknown name →
 * {@link UnsupportedObjectError}; wrong shape or field type → {@link InvalidObjectData}. With `expected`,
 * an envelope of another type is refused with {@link InvalidObjectData}.
 */
export function fromEnvelope<N extends ZunObjectName>(env: unknown, expected: N): ZunObjectTypes[N];
export function fromEnvelope(env: unknown): AnyZunObject;
export function fromEnvelope(env: unknown, expected?: ZunObjectName): AnyZunObject | AnyZunObject['object'] {
  const got = unwrap(env);
  if (expected === undefined) return got;
  if (got.name !== expected) throw new InvalidObjectData(`expected a ${expected} object, got ${got.name}`);
  return got.object;
}

/**
 * A digest of an object type's declared fields (names, types, nullability, enum values, defaults), as
 * `"<VERSION>-<hash>"`. Pinned by a unit test so that changing fields without bumping VERSION fails.
 */
export function objectFingerprint(def: ObjectDef<unknown, string>): string {
  const lines = (Object.entries(def.fields) as [string, FieldSpec][])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, s]) =>
      [key, s.type, s.nullable ? 'null' : 'notnull', s.values ? s.values.join('|') : '', JSON.stringify(s.default ?? null)].join(':'),
    );
  const hash = createHash('sha256').update(`${def.name}\n${lines.join('\n')}`).digest('hex').slice(0, 32);
  return `${def.VERSION}-${hash}`;
}
