import Ajv, { type ErrorObject } from 'ajv';
import { type Request } from 'express';
import { SchemaValidationError } from '@zun-ts/common';
import { DYNAMIC_ENUM_KEYWORD } from './json-schema.validator';
import { type SchemaValidator, withSchema } from './schema-registry';

/** A JSON schema (Zun's validators are Draft 4; the keywords used here mean the same in ajv's draft). */
export type JsonSchema = Readonly<Record<string, unknown>>;

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addKeyword(DYNAMIC_ENUM_KEYWORD);

/** Python's repr(), which jsonschema's messages (and so Zun's) use. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x)).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** jsonschema's wording for one failure. */
function message(e: ErrorObject, value: unknown): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const types = Array.isArray(p['type']) ? (p['type'] as unknown[]) : String(p['type']).split(',');
      return `${pyRepr(value)} is not of type ${types.map((x) => pyRepr(x)).join(', ')}`;
    }
    case 'pattern':
      return `${pyRepr(value)} does not match ${pyRepr(p['pattern'])}`;
    case 'minLength':
      return `${pyRepr(value)} is too short`;
    case 'maxLength':
      return `${pyRepr(value)} is too long`;
    case 'enum':
    case 'dynamicEnum':
      return `${pyRepr(value)} is not one of ${pyRepr(p['allowedValues'])}`;
    case 'required':
      return `${pyRepr(p['missingProperty'])} is a required property`;
    case 'additionalProperties':
      return `Additional properties are not allowed (${pyRepr(p['additionalProperty'])} was unexpected)`;
    default:
      return e.message ?? 'is invalid';
  }
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

/** A compiled schema for query parameters; failures are 400 SchemaValidationError in Zun's words. */
export function querySchema(schema: JsonSchema): SchemaValidator<Record<string, string>> {
  const validate = ajv.compile(schema);
  return withSchema((query: Record<string, string>) => {
    if (validate(query)) return;
    const e = validate.errors?.[0];
    if (!e) throw new SchemaValidationError('Invalid input for query parameters.');
    const value = valueAt(query, e.instancePath);
    const msg = message(e, value);
    if (e.instancePath === '') throw new SchemaValidationError(msg);
    const field = e.instancePath.split('/').pop() ?? '';
    throw new SchemaValidationError(`Invalid input for query parameters '${field}'. Value: '${pyStr(value)}'. ${msg}`);
  }, schema);
}

/** The query string as a plain map; a repeated parameter keeps its last value (as Zun's framework does). */
export function queryParams(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(req.originalUrl, 'http://localhost').searchParams) out[k] = v;
  return out;
}
