import { type FieldSpec, fromEnvelope, type JsonValue, toEnvelope, ZUN_OBJECTS, type ZunObjectName, type ZunObjectTypes } from '@zun-ts/objects';

/**
 * A value that does not match its schema. `path` names where (`args.patch.cpu`), `expected` what was wanted.
 * The RPC server answers it as InvalidRpcMessage (400); a client that cannot read a result raises RpcProtocolError.
 */
export class WireDecodeError extends Error {
  override readonly name = 'WireDecodeError';
  constructor(
    readonly path: string,
    readonly expected: string,
    got: unknown,
  ) {
    super(`${path}: expected ${expected}, got ${describe(got)}`);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? 'a string' : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'object' ? 'an object' : typeof v;
}

/**
 * How one value of type `T` crosses RPC: `encode` turns it into JSON data, `decode` validates wire data and
 * rebuilds the value (throwing {@link WireDecodeError}). Invariant in `T`: a descriptor's schema must describe
 * the contract's type exactly, not a wider or narrower one.
 */
export interface WireSchema<T> {
  /** What the schema expects, for error messages (`string`, `Container object`…). */
  readonly expected: string;
  encode(v: T): unknown;
  decode(wire: unknown, path: string): T;
  /** Type-level only: makes the schema invariant in T. */
  readonly _type?: (v: T) => T;
}

/** Any schema, for code that only moves values through (the RPC server and client). */
export interface AnyWireSchema {
  readonly expected: string;
  encode(v: never): unknown;
  decode(wire: unknown, path: string): unknown;
}

/** The type a schema describes. */
export type Infer<S> = S extends WireSchema<infer T> ? T : never;

/** A schema of an optional object member (`key?: T`). Only meaningful inside {@link object}. */
export interface OptionalSchema<T> extends WireSchema<T | undefined> {
  readonly optional: true;
}

/**
 * The versioned objects some schema sends, with the VERSION it stamps on them: checked against the pinned
 * fingerprints by a unit test, so that a field change without a version bump cannot reach the wire.
 */
export const OBJECTS_ON_THE_WIRE = new Map<ZunObjectName, string>();

/** Runs `s.encode` on a value whose type the caller has already checked. */
export function encodeWith(s: AnyWireSchema, v: unknown): unknown {
  return (s.encode as (v: unknown) => unknown)(v);
}

function schema<T>(expected: string, test: (w: unknown) => boolean): WireSchema<T> {
  return {
    expected,
    encode: (v) => v,
    decode(w, path) {
      if (!test(w)) throw new WireDecodeError(path, expected, w);
      return w as T;
    },
  };
}

const STRING = schema<string>('a string', (w) => typeof w === 'string');
const INTEGER = schema<number>('an integer', (w) => Number.isSafeInteger(w));
const NUMBER = schema<number>('a finite number', (w) => typeof w === 'number' && Number.isFinite(w));
const BOOLEAN = schema<boolean>('a boolean', (w) => typeof w === 'boolean');
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function isRecord(w: unknown): w is Record<string, unknown> {
  return typeof w === 'object' && w !== null && !Array.isArray(w);
}

function isJson(v: unknown, depth = 0): v is JsonValue {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  if (isRecord(v)) return Object.values(v).every((x) => isJson(x, depth + 1));
  return false;
}

/** Decodes one value of a versioned object's field by its declaration. */
function decodeField(spec: FieldSpec, w: unknown, path: string): unknown {
  if (w === null) {
    if (!spec.nullable) throw new WireDecodeError(path, `a ${spec.type}`, w);
    return null;
  }
  switch (spec.type) {
    case 'integer':
      return INTEGER.decode(w, path);
    case 'float':
      return NUMBER.decode(w, path);
    case 'boolean':
      return BOOLEAN.decode(w, path);
    case 'datetime':
      return s.date().decode(w, path);
    case 'string':
      if (typeof w !== 'string' || (spec.values && !spec.values.includes(w))) {
        throw new WireDecodeError(path, spec.values ? `one of ${spec.values.join(', ')}` : 'a string', w);
      }
      return w;
    case 'dict':
      if (!isRecord(w) || !isJson(w)) throw new WireDecodeError(path, 'a JSON object', w);
      return w;
    case 'list':
      if (!Array.isArray(w) || !isJson(w)) throw new WireDecodeError(path, 'a JSON array', w);
      return w;
  }
}

type Shape = Record<string, WireSchema<never> | AnyWireSchema>;
type OptionalKeys<S> = { [K in keyof S]: S[K] extends { readonly optional: true } ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] };
/** The object type an {@link object} shape describes: optional schemas become optional members. */
export type ObjectOf<S> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>;

/**
 * Builders. Objects are closed: a member the schema does not declare is refused (a typo or a field the
 * receiver does not know must not pass silently). Dates travel as ISO-8601 strings; Zun's versioned
 * objects travel in their envelope (`zun_object.name/version/data`).
 */
export const s = {
  string: (): WireSchema<string> => STRING,
  integer: (): WireSchema<number> => INTEGER,
  number: (): WireSchema<number> => NUMBER,
  boolean: (): WireSchema<boolean> => BOOLEAN,

  /** A `Date`, as an ISO-8601 string. */
  date(): WireSchema<Date> {
    return {
      expected: 'an ISO-8601 date',
      encode: (v) => v.toISOString(),
      decode(w, path) {
        const d = typeof w === 'string' && ISO_DATE.test(w) ? new Date(w) : null;
        if (!d || Number.isNaN(d.getTime())) throw new WireDecodeError(path, 'an ISO-8601 date', w);
        return d;
      },
    };
  },

  /** One of a closed set of strings (or numbers, booleans). */
  literal<const V extends readonly (string | number | boolean)[]>(...values: V): WireSchema<V[number]> {
    const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    return schema<V[number]>(expected, (w) => values.includes(w as V[number]));
  },

  /** Exactly null (a field that may only be cleared). */
  null(): WireSchema<null> {
    return schema<null>('null', (w) => w === null);
  },

  nullable<T>(inner: WireSchema<T>): WireSchema<T | null> {
    return {
      expected: `${inner.expected} or null`,
      encode: (v) => (v === null ? null : inner.encode(v)),
      decode: (w, path) => (w === null ? null : inner.decode(w, path)),
    };
  },

  /** An optional object member: absent (or undefined) is allowed; null is not, unless `inner` allows it. */
  optional<T>(inner: WireSchema<T>): OptionalSchema<T> {
    return {
      optional: true,
      expected: `${inner.expected} (optional)`,
      encode: (v) => (v === undefined ? undefined : inner.encode(v)),
      decode: (w, path) => (w === undefined ? undefined : inner.decode(w, path)),
    };
  },

  array<T>(inner: WireSchema<T>): WireSchema<T[]> {
    const expected = `an array of ${inner.expected}`;
    return {
      expected,
      encode: (v) => v.map((x) => inner.encode(x)),
      decode(w, path) {
        if (!Array.isArray(w)) throw new WireDecodeError(path, expected, w);
        return w.map((x, i) => inner.decode(x, `${path}[${i}]`));
      },
    };
  },

  /** An object used as a map from string keys to `T`. */
  record<T>(inner: WireSchema<T>): WireSchema<Record<string, T>> {
    const expected = `an object of ${inner.expected}`;
    return {
      expected,
      encode(v) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = inner.encode(x);
        return out;
      },
      decode(w, path) {
        if (!isRecord(w)) throw new WireDecodeError(path, expected, w);
        const out: Record<string, T> = {};
        for (const [k, x] of Object.entries(w)) out[k] = inner.decode(x, `${path}.${k}`);
        return out;
      },
    };
  },

  /** A closed object: members not in `shape` are refused on decode and left out on encode. */
  object<S extends Shape>(shape: S): WireSchema<ObjectOf<S>> {
    const entries = Object.entries(shape) as [string, AnyWireSchema & { optional?: true }][];
    const known = new Set(Object.keys(shape));
    const expected = `an object with ${entries.length ? entries.map(([k]) => k).join(', ') : 'no members'}`;
    return {
      expected,
      encode(v) {
        const src = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [k, sch] of entries) {
          const x = src[k];
          if (x === undefined && sch.optional) continue;
          out[k] = encodeWith(sch, x);
        }
        return out;
      },
      decode(w, path) {
        if (!isRecord(w)) throw new WireDecodeError(path, expected, w);
        for (const k of Object.keys(w)) if (!known.has(k)) throw new WireDecodeError(`${path}.${k}`, 'no such member', w[k]);
        const out: Record<string, unknown> = {};
        for (const [k, sch] of entries) {
          const x = w[k];
          if (x === undefined && !sch.optional) throw new WireDecodeError(`${path}.${k}`, sch.expected, undefined);
          const v = sch.decode(x, `${path}.${k}`);
          if (v !== undefined) out[k] = v;
        }
        return out as ObjectOf<S>;
      },
    };
  },

  /** Free-form JSON, for fields that are genuinely free-form (engine stats, archive stat). Checked to be JSON only. */
  json<T extends JsonValue | Record<string, unknown> = JsonValue>(what: 'a JSON value' | 'a JSON object' = 'a JSON value'): WireSchema<T> {
    return schema<T>(what, (w) => isJson(w) && (what === 'a JSON value' || isRecord(w)));
  },

  /** A versioned Zun object, in its envelope: the receiver checks name, major version and every field. */
  zunObject<N extends ZunObjectName>(name: N): WireSchema<ZunObjectTypes[N]> {
    const expected = `a ${name} object envelope`;
    OBJECTS_ON_THE_WIRE.set(name, ZUN_OBJECTS[name].VERSION);
    return {
      expected,
      encode: (v) => toEnvelope(name, v),
      decode(w, path) {
        try {
          return fromEnvelope(w, name);
        } catch (err) {
          throw new WireDecodeError(path, `${expected} (${(err as Error).message})`, w);
        }
      },
    };
  },

  /**
   * Some fields of a versioned object, each optional, each checked against the object's field declaration
   * (type, nullability, enum values): a patch or a partial report, e.g. `s.partialOf('Container', HOST_WRITABLE_CONTAINER_FIELDS)`.
   * Members outside `keys` are refused.
   */
  partialOf<N extends ZunObjectName, const K extends readonly (keyof ZunObjectTypes[N] & string)[]>(
    name: N,
    keys: K,
  ): WireSchema<Partial<Pick<ZunObjectTypes[N], K[number]>>> {
    const fields = ZUN_OBJECTS[name].fields as unknown as Record<string, FieldSpec>;
    const specs = new Map<string, FieldSpec | undefined>(keys.map((k) => [k, fields[k]]));
    const expected = `some ${name} fields (${keys.join(', ')})`;
    return {
      expected,
      encode(v) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = x instanceof Date ? x.toISOString() : x;
        return out;
      },
      decode(w, path) {
        if (!isRecord(w)) throw new WireDecodeError(path, expected, w);
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(w)) {
          const spec = specs.get(k);
          if (!spec) throw new WireDecodeError(`${path}.${k}`, 'no such member', x);
          if (x !== undefined) out[k] = decodeField(spec, x, `${path}.${k}`);
        }
        return out as Partial<Pick<ZunObjectTypes[N], K[number]>>;
      },
    };
  },

  /** No arguments: `{}`. */
  empty(): WireSchema<Record<string, never>> {
    return s.object({}) as unknown as WireSchema<Record<string, never>>;
  },
  /** No result (`void`): nothing on the wire. */
  void(): WireSchema<void> {
    return { expected: 'nothing', encode: () => null, decode: () => undefined };
  },
};
