import { compileValidator, type JsonSchema } from '../../http/json-schema.validator';
import { resourceName, strictBoolean } from '../containers/parameter-types.schema';

// Request schemas of `/v1/volumes` (zun-ts's own resource: Zun hands volumes to Cinder). Same dialect as the
// container schemas: Draft-4 keywords plus `numMinimum`/`numMaximum`, which also read numeric strings.

/** Largest size the volume table holds (a signed 32-bit integer of GiB). */
export const MAX_VOLUME_GIB = 2147483647;

/** Whole GiB, at least 1: an int or a string of digits, as the container `disk` parameter. */
export const volumeSize: JsonSchema = { type: ['integer', 'string'], pattern: '^[0-9]+$', numMinimum: '1', numMaximum: String(MAX_VOLUME_GIB) };

export const volumeCreate: JsonSchema = {
  type: 'object',
  properties: { name: resourceName, size: volumeSize, shareable: strictBoolean },
  required: ['size'],
  additionalProperties: false,
};

/** Validators, compiled once. */
export const volumeValidators = {
  create: compileValidator(volumeCreate, 'body'),
};
