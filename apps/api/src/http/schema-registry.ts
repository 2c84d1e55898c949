import { type JsonSchema } from './json-schema.validator';

/** A compiled request validator that keeps the schema it checks, so the OpenAPI document can show that very schema. */
export type SchemaValidator<T = Readonly<Record<string, unknown>>> = ((params: T) => void) & { readonly schema: JsonSchema };

const compiled = new Set<JsonSchema>();

/** Records a schema the API validates requests with (every compiled validator passes through here). */
export function withSchema<T>(check: (params: T) => void, schema: JsonSchema): SchemaValidator<T> {
  compiled.add(schema);
  return Object.assign(check, { schema });
}

/** Every schema compiled into a request validator so far (the OpenAPI tests check each is documented). */
export function compiledSchemas(): readonly JsonSchema[] {
  return [...compiled];
}
