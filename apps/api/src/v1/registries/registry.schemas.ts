import { SchemaValidationError } from '@zun-ts/common';
import { compileValidator, type JsonSchema } from '../../http/json-schema.validator';
import { pyRepr } from '../../http/python-repr.util';
import { type SchemaValidator, withSchema } from '../../http/schema-registry';
import { containerName } from '../containers/parameter-types.schema';

// Request schemas of `/v1/registries`, as Zun's: the fields sit under a `registry` key, and nothing else is allowed.

const registryDomain: JsonSchema = { type: 'string', minLength: 1, maxLength: 255 };
const registryUsername: JsonSchema = { type: ['string', 'null'], maxLength: 255 };
const registryPassword: JsonSchema = { type: ['string', 'null'], maxLength: 255 };

const properties = { name: containerName, domain: registryDomain, username: registryUsername, password: registryPassword };

/** `POST /v1/registries`. */
export const registryCreate: JsonSchema = {
  type: 'object',
  properties: { registry: { type: 'object', properties, required: ['domain'], additionalProperties: false } },
  required: ['registry'],
  additionalProperties: false,
};

/** `PATCH /v1/registries/{ident}`. */
export const registryUpdate: JsonSchema = {
  type: 'object',
  properties: { registry: { type: 'object', properties, additionalProperties: false } },
  required: ['registry'],
  additionalProperties: false,
};

/**
 * A validator that never echoes the password: jsonschema's messages quote the offending value, and a 400 is
 * logged, so the password's text is replaced in the message.
 */
function redacting(schema: JsonSchema): SchemaValidator {
  const check = compileValidator(schema, 'body');
  return withSchema((body: Readonly<Record<string, unknown>>) => {
    try {
      check(body);
    } catch (e) {
      const registry = body['registry'];
      const password = registry !== null && typeof registry === 'object' ? (registry as Record<string, unknown>)['password'] : undefined;
      if (!(e instanceof SchemaValidationError) || password === undefined || password === null || password === '') throw e;
      const secret = typeof password === 'string' ? password : pyRepr(password);
      throw new SchemaValidationError(e.message.split(pyRepr(password)).join("'***'").split(secret).join('***'));
    }
  }, schema);
}

/** Validators, compiled once. */
export const registryValidators = {
  create: redacting(registryCreate),
  update: redacting(registryUpdate),
};
