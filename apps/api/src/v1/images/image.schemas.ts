import { compileValidator, type JsonSchema } from '../../http/json-schema.validator';
import { querySchema } from '../../http/query-schema';
import { boolean, imageDriver, imagePullPolicy } from '../containers/parameter-types.schema';

// Request schemas of `/v1/images` (Zun's image schemas): same dialect as the container schemas.

/** Zun's `repo`: 2–255 characters holding a name character pair (the reference itself is parsed afterwards). */
export const repo: JsonSchema = { type: 'string', minLength: 2, maxLength: 255, pattern: '[a-zA-Z0-9][a-zA-Z0-9_.-]' };
/** A Docker tag. */
export const tag: JsonSchema = { type: ['string', 'null'], minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' };
/** Zun's `image_id`. */
export const imageId: JsonSchema = { type: ['string', 'null'], minLength: 2, maxLength: 255 };
/** Zun's image `size`: digits with an optional unit letter. */
export const size: JsonSchema = { type: ['string', 'integer', 'null'], pattern: '^[0-9]+[bBkKmMgG]?$' };
/** Zun's `hostname` type (compute node uuid or hostname). */
export const host: JsonSchema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' };

export const imagePull: JsonSchema = {
  type: 'object',
  properties: { repo, tag, image_id: imageId, size, host, image_pull_policy: imagePullPolicy },
  required: ['repo', 'host'],
  additionalProperties: false,
};

/** `GET /v1/images/{term}/search` query. */
export const imageSearchQuery: JsonSchema = {
  type: 'object',
  properties: { image_driver: imageDriver, exact_match: boolean },
  additionalProperties: false,
};

/** Validators, compiled once. */
export const imageValidators = {
  pull: compileValidator(imagePull, 'body'),
  searchQuery: querySchema(imageSearchQuery),
};
