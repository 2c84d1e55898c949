import { isIPv4, isIPv6 } from 'node:net';
import Ajv, { type ErrorObject, type KeywordDefinition, type SchemaValidateFunction } from 'ajv';
import { SchemaValidationError } from '@zun-ts/common';
import { pyNumberRepr, pyRepr, pyStr } from './python-repr.util';
import { type SchemaValidator, withSchema } from './schema-registry';

/** A Draft-4 style JSON schema as Zun writes them (plus the numeric-string keywords below). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * Zun's validator replaces `minimum`/`maximum` with versions that also read numeric strings
 * (`"512"`, `"0.5"`) the way Python's int()/float() do. Here they are the keywords
 * `numMinimum`/`numMaximum`, whose value is the limit as Python prints it (`'0.1'`, `'16.0'`, `'4'`).
 */
interface PyNumber {
  value: number;
  repr: string;
}

const PY_INT = /^[+-]?\d+(?:_\d+)*$/;
const PY_FLOAT = /^[+-]?(?:(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?|inf(?:inity)?|nan)$/i;

/** Python's `int(x)`, else `float(x)`, else null (what Zun's `_number_from_str` does). */
export function numberFromStr(x: unknown): PyNumber | null {
  if (typeof x === 'number') return { value: x, repr: pyNumberRepr(x, false) };
  if (typeof x === 'boolean') return { value: x ? 1 : 0, repr: x ? 'True' : 'False' };
  if (typeof x !== 'string') return null;
  const s = x.trim();
  if (PY_INT.test(s)) {
    const value = Number(s.replace(/_/g, ''));
    return { value, repr: pyNumberRepr(value, false) };
  }
  if (PY_FLOAT.test(s)) {
    const t = s.replace(/_/g, '').toLowerCase();
    const value = t.includes('nan') ? Number.NaN : t.includes('inf') ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t);
    return { value, repr: pyNumberRepr(value, true) };
  }
  return null;
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
ajv.addFormat('ipv4', { type: 'string', validate: (s: string) => isIPv4(s) });
ajv.addFormat('ipv6', { type: 'string', validate: (s: string) => isIPv6(s) });
// NaN compares false in Python too, so it passes both limits.
ajv.addKeyword({
  keyword: 'numMinimum',
  schemaType: 'string',
  validate: (limit: string, data: unknown) => {
    const n = numberFromStr(data);
    return n === null || !(n.value < Number(limit));
  },
});
ajv.addKeyword({
  keyword: 'numMaximum',
  schemaType: 'string',
  validate: (limit: string, data: unknown) => {
    const n = numberFromStr(data);
    return n === null || !(n.value > Number(limit));
  },
});

/**
 * `dynamicEnum: '<list name>'`: an `enum` whose values are set at start ({@link setDynamicEnum}) rather than written
 * in the schema, e.g. the image drivers, which plug-ins extend. It fails with `params.allowedValues`, and both
 * validators (bodies here, query strings in query-schema.ts) report it as jsonschema reports `enum`.
 */
const dynamicEnums = new Map<string, readonly unknown[]>();

/** The values of the `dynamicEnum` list `name` (schemas compiled before or after see them). */
export function setDynamicEnum(name: string, values: readonly unknown[]): void {
  dynamicEnums.set(name, [...values]);
}

/** Every `dynamicEnum` list with its values now (the OpenAPI document shows them). */
export function dynamicEnumLists(): Record<string, readonly unknown[]> {
  return Object.fromEntries(dynamicEnums);
}

const checkDynamicEnum: SchemaValidateFunction = (name: string, data: unknown): boolean => {
  const allowedValues = dynamicEnums.get(name) ?? [];
  if (allowedValues.includes(data)) return true;
  checkDynamicEnum.errors = [{ keyword: 'dynamicEnum', params: { allowedValues } }];
  return false;
};

/** The `dynamicEnum` keyword, for every Ajv instance of the API. */
export const DYNAMIC_ENUM_KEYWORD: KeywordDefinition = { keyword: 'dynamicEnum', schemaType: 'string', errors: true, validate: checkDynamicEnum };

ajv.addKeyword(DYNAMIC_ENUM_KEYWORD);

function decodePointer(p: string): string[] {
  return p
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Where jsonschema (which Zun uses) would report an error, as a sort key: it walks the schema's
 * keywords and `properties` in the order they are written and an array's items in order, and
 * raises the first error. Errors below anyOf/oneOf/not only explain those keywords' own error,
 * so they get no key (null) and are dropped.
 */
function reportOrder(schema: JsonSchema, e: ErrorObject): number[] | null {
  const segs = decodePointer(e.schemaPath.replace(/^#/, ''));
  const inst = decodePointer(e.instancePath);
  const key: number[] = [];
  let node: unknown = schema;
  let depth = 0;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] as string;
    if (!isObject(node)) break;
    key.push(Object.keys(node).indexOf(s));
    const next = segs[i + 1];
    const child = node[s];
    if ((s === 'properties' || s === 'patternProperties') && next !== undefined && isObject(child)) {
      key.push(Object.keys(child).indexOf(next));
      node = child[next];
      depth++;
      i++;
    } else if (s === 'items' && isObject(child) && i + 1 < segs.length) {
      key.push(Number(inst[depth] ?? 0));
      node = child;
      depth++;
    } else if (s === 'allOf' && next !== undefined && Array.isArray(child)) {
      key.push(Number(next));
      node = child[Number(next)];
      i++;
    } else if ((s === 'anyOf' || s === 'oneOf' || s === 'not') && i + 1 < segs.length) {
      return null;
    } else if (s === 'additionalProperties' && isObject(child) && i + 1 < segs.length) {
      node = child;
      depth++;
    }
  }
  return key;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d) return d;
  }
  return a.length - b.length;
}

/** jsonschema's message for one error. */
function messageOf(e: ErrorObject, all: readonly ErrorObject[]): string {
  const p = e.params as Record<string, unknown>;
  const data: unknown = e.data;
  const sch: unknown = e.schema;
  switch (e.keyword) {
    case 'type': {
      const types = Array.isArray(sch) ? (sch as unknown[]) : [sch];
      return `${pyRepr(data)} is not of type ${types.map((x) => pyRepr(x)).join(', ')}`;
    }
    case 'pattern':
      return `${pyRepr(data)} does not match ${pyRepr(sch)}`;
    case 'minLength':
      return sch === 1 ? `${pyRepr(data)} should be non-empty` : `${pyRepr(data)} is too short`;
    case 'maxLength':
      return sch === 0 ? `${pyRepr(data)} is expected to be empty` : `${pyRepr(data)} is too long`;
    case 'enum':
      return `${pyRepr(data)} is not one of ${pyRepr(sch)}`;
    case 'dynamicEnum':
      return `${pyRepr(data)} is not one of ${pyRepr(p['allowedValues'])}`;
    case 'required':
      return `${pyRepr(p['missingProperty'])} is a required property`;
    case 'format':
      return `${pyRepr(data)} is not a ${pyRepr(sch)}`;
    case 'numMinimum':
      return `${numberFromStr(data)?.repr ?? pyRepr(data)} is less than the minimum of ${String(sch)}`;
    case 'numMaximum':
      return `${numberFromStr(data)?.repr ?? pyRepr(data)} is greater than the maximum of ${String(sch)}`;
    case 'additionalProperties': {
      // jsonschema names every extra property of the object at once, sorted.
      const extras = all
        .filter((x) => x.keyword === 'additionalProperties' && x.instancePath === e.instancePath && x.schemaPath === e.schemaPath)
        .map((x) => String((x.params as Record<string, unknown>)['additionalProperty']))
        .sort();
      return `Additional properties are not allowed (${extras.map((x) => pyRepr(x)).join(', ')} ${extras.length === 1 ? 'was' : 'were'} unexpected)`;
    }
    case 'oneOf': {
      const passing = p['passingSchemas'];
      if (Array.isArray(passing) && Array.isArray(sch)) {
        const [first, ...rest] = passing as number[];
        const order = [...rest, first as number];
        return `${pyRepr(data)} is valid under each of ${order.map((i) => pyRepr((sch as unknown[])[i])).join(', ')}`;
      }
      return `${pyRepr(data)} is not valid under any of the given schemas`;
    }
    case 'anyOf':
      return `${pyRepr(data)} is not valid under any of the given schemas`;
    case 'not':
      return `${pyRepr(data)} should not be valid under ${pyRepr(sch)}`;
    case 'minimum':
      return `${pyRepr(data)} is less than the minimum of ${pyRepr(sch)}`;
    case 'maximum':
      return `${pyRepr(data)} is greater than the maximum of ${pyRepr(sch)}`;
    default:
      return `${pyRepr(data)} is invalid (${e.keyword})`;
  }
}

/** Where the parameters come from, which selects Zun's wording of the message. */
export type ParamSource = 'body' | 'query';

/** The first error jsonschema would raise, as Zun words it. */
export function schemaErrorMessage(schema: JsonSchema, errors: readonly ErrorObject[], source: ParamSource): string {
  const ranked = errors
    .map((e, i) => ({ e, i, key: reportOrder(schema, e) }))
    .filter((x): x is { e: ErrorObject; i: number; key: number[] } => x.key !== null)
    .sort((a, b) => compareKeys(a.key, b.key) || a.i - b.i);
  const first = ranked[0]?.e ?? errors[0];
  if (!first) return 'Invalid input.';
  const msg = messageOf(first, errors);
  const path = decodePointer(first.instancePath);
  // Errors about the whole object (required, additional properties …) carry no field.
  if (path.length === 0) return msg;
  const field = path[path.length - 1] as string;
  const value = pyStr(first.data);
  return source === 'body'
    ? `Invalid input for field '${field}'.Value: '${value}'. ${msg}`
    : `Invalid input for query parameters '${field}'. Value: '${value}'. ${msg}`;
}

/** A compiled schema; the returned function throws SchemaValidationError (400) with Zun's message. */
export function compileValidator(schema: JsonSchema, source: ParamSource): SchemaValidator {
  const validate = ajv.compile(schema);
  return withSchema((params: Readonly<Record<string, unknown>>) => {
    if (validate(params)) return;
    throw new SchemaValidationError(schemaErrorMessage(schema, validate.errors ?? [], source));
  }, schema);
}
