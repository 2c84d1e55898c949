import { compileValidator, type JsonSchema } from '../../http/json-schema.validator';
import { resourceName, strictBoolean } from '../containers/parameter-types.schema';

// Request schema of `POST /v1/networks` (zun-ts's own resource: Zun's wraps a Neutron network and is
// admin-only). The CIDR and gateway are checked after the schema, with messages that say what is expected.

export const networkCreate: JsonSchema = {
  type: 'object',
  properties: {
    name: { ...resourceName, type: 'string' },
    cidr: { type: 'string', minLength: 1, maxLength: 18 },
    gateway: { type: 'string', minLength: 1, maxLength: 15 },
    shared: strictBoolean,
    nat_egress: strictBoolean,
  },
  required: ['name', 'cidr'],
  additionalProperties: false,
};

/** Validators, compiled once. */
export const networkValidators = {
  create: compileValidator(networkCreate, 'body'),
};
