import { compileValidator, type JsonSchema } from '../../http/json-schema.validator';

/** A quota limit: an integer or digit string, −1 (unlimited) or more. */
const quotaLimit: JsonSchema = { type: ['integer', 'string'], pattern: '^-?[0-9]+$', numMinimum: '-1' };

/** Body of `PUT /v1/quotas/{p}` and `PUT /v1/quota_classes/{name}`: any of the four resources, nothing else. */
export const quotaUpdate: JsonSchema = {
  type: 'object',
  properties: { containers: quotaLimit, memory: quotaLimit, cpu: quotaLimit, disk: quotaLimit },
  additionalProperties: false,
};

export const validateQuotaUpdate = compileValidator(quotaUpdate, 'body');
