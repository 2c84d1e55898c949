import { MAX_VERSION, MIN_VERSION } from '../../http/api-version';
import { dynamicEnumLists, type JsonSchema } from '../../http/json-schema.validator';
import { type SchemaValidator } from '../../http/schema-registry';
import { type RouteSchemas, type RouteSpec, type VersionedValidator } from '../route-table';

// The OpenAPI 3.1 document of the v1 API, built from the route table and the validators' own schemas
// (see docs/adr/0015-openapi-from-the-route-table.md).

type Json = Record<string, unknown>;

/** Microversion range of an operation or of one body schema, as `x-openstack-microversion`. */
function range(r: { minVersion?: { toString(): string }; maxVersion?: { toString(): string } }): { min: string; max: string } {
  return { min: (r.minVersion ?? MIN_VERSION).toString(), max: (r.maxVersion ?? MAX_VERSION).toString() };
}

/** `/v1/containers/:ident` → `/v1/containers/{ident}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function pathParams(expressPath: string): string[] {
  return [...expressPath.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string);
}

export function operationId(route: Pick<RouteSpec, 'method' | 'path'>): string {
  const words = route.path.split('/').filter(Boolean).map((s) => s.replace(/^:/, '').replace(/[^A-Za-z0-9_]/g, '_'));
  return [route.method.toLowerCase(), ...(words.length ? words : ['root'])].join('_');
}

function propertiesOf(schema: JsonSchema): [string, JsonSchema][] {
  const props = schema['properties'];
  return props !== null && typeof props === 'object' ? Object.entries(props as Record<string, JsonSchema>) : [];
}

function requiredOf(schema: JsonSchema): Set<string> {
  const req = schema['required'];
  return new Set(Array.isArray(req) ? (req as string[]) : []);
}

const ERROR_STATUSES: Readonly<Record<string, string>> = {
  '400': 'Bad request: a parameter failed its schema or Zun\'s checks.',
  '403': 'The policy does not allow this to the caller.',
  '404': 'No such resource (or it belongs to another project).',
  '405': 'The path exists but not with this method (see the Allow header).',
  '406': 'The operation does not exist at the requested microversion.',
  '409': 'The resource is in a state that does not allow the operation.',
  '500': 'Internal error; the detail is in the log under the request id.',
  '503': 'A service the request needs (the message bus, the database) is unreachable; retry later.',
};

function responses(route: RouteSpec): Json {
  const out: Json = { '2XX': { description: 'Success' } };
  const codes = route.public ? ['500'] : route.path.startsWith('/v1/') ? Object.keys(ERROR_STATUSES) : ['500'];
  for (const code of codes) out[code] = { $ref: `#/components/responses/Error${code}` };
  if (!route.public) out['401'] = { $ref: '#/components/responses/Unauthorized' };
  return out;
}

/** Adds a schema under components/schemas and returns a reference to it. */
type Register = (name: string, schema: JsonSchema) => Json;

function withExample(media: Json, example: Readonly<Record<string, unknown>> | undefined): Json {
  return example ? { ...media, example } : media;
}

/** An empty body reads as `{}`: a body is required when its schema requires a field the query string cannot give. */
function bodyRequired(schema: JsonSchema, s: RouteSchemas): boolean {
  const inQuery = new Set(s.query ? propertiesOf(s.query.schema).map(([name]) => name) : []);
  const allOf = Array.isArray(schema['allOf']) ? (schema['allOf'] as JsonSchema[]) : [];
  return [schema, ...allOf].some((x) => [...requiredOf(x)].some((name) => !inQuery.has(name)));
}

function requestBody(route: RouteSpec, opId: string, register: Register): Json | undefined {
  const s = route.schemas;
  if (!s) return undefined;
  if (s.body && 'schema' in s.body) {
    return { required: bodyRequired(s.body.schema, s), content: { 'application/json': withExample({ schema: register(`${opId}_body`, s.body.schema) }, s.example) } };
  }
  if (s.body) {
    const variants = s.body as readonly VersionedValidator[];
    const refs = variants.map((v) => {
      const r = range(v);
      return { min: r.min, max: r.max, schema: register(`${opId}_body_${r.min.replace('.', '_')}_${r.max.replace('.', '_')}`, v.validator.schema) };
    });
    const newest = refs[refs.length - 1];
    return {
      required: variants.some((v) => bodyRequired(v.validator.schema, s)),
      description: 'The schema depends on the microversion; `schema` is the newest one, `x-openstack-microversion-schemas` lists each range.',
      content: { 'application/json': withExample({ schema: newest?.schema ?? {} }, s.example) },
      'x-openstack-microversion-schemas': refs,
    };
  }
  if (s.bodyOrQuery) {
    return {
      required: false,
      description: 'These parameters may also be sent in the query string; the body wins.',
      content: { 'application/json': withExample({ schema: register(`${opId}_params`, s.bodyOrQuery.schema) }, s.example) },
    };
  }
  return undefined;
}

function queryParameters(route: RouteSpec): Json[] {
  const s = route.schemas;
  const validator: SchemaValidator<Record<string, string>> | SchemaValidator | undefined = s?.query ?? s?.bodyOrQuery;
  if (!validator) return [];
  // Parameters that may come in the body as well are never required in the query string.
  const canComeInBody = Boolean(s?.bodyOrQuery ?? s?.body);
  const required = requiredOf(validator.schema);
  return propertiesOf(validator.schema).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !canComeInBody && required.has(name),
    schema,
  }));
}

function operation(route: RouteSpec, register: Register): Json {
  const opId = operationId(route);
  const parameters: Json[] = pathParams(route.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  parameters.push(...queryParameters(route));
  if (route.path.startsWith('/v1/')) parameters.push({ $ref: '#/components/parameters/Microversion' });
  const op: Json = {
    operationId: opId,
    tags: [route.path.split('/')[2] ?? 'versions'],
    'x-openstack-microversion': range(route),
    parameters,
    responses: responses(route),
  };
  const body = requestBody(route, opId, register);
  if (body) op['requestBody'] = body;
  if (route.public) op['security'] = [];
  return op;
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Zun\'s error body.',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'status', 'title', 'detail'],
        properties: {
          request_id: { type: 'string' },
          code: { type: 'string', description: 'A short code such as `ResourceNotFound`' },
          status: { type: 'integer' },
          title: { type: 'string' },
          detail: { type: 'string' },
          links: { type: 'array' },
        },
      },
    },
  },
};

const KEYSTONE_ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'keystonemiddleware\'s error body (a missing or invalid token).',
  required: ['error'],
  properties: { error: { type: 'object', properties: { code: { type: 'integer' }, title: { type: 'string' }, message: { type: 'string' } } } },
};

/**
 * The OpenAPI 3.1 document of these routes. Schemas are the validators' own objects (not copies), so what the
 * document shows is what the API checks.
 */
export function openApiDocument(routes: readonly RouteSpec[], serverUrl: string): Json {
  const schemas: Json = { Error: ERROR_SCHEMA, KeystoneError: KEYSTONE_ERROR_SCHEMA };
  const register: Register = (name, schema) => {
    if (name in schemas && schemas[name] !== schema) throw new Error(`two schemas named ${name}`);
    schemas[name] = schema;
    return { $ref: `#/components/schemas/${name}` };
  };
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const item = (paths[path] ??= {});
    const method = route.method.toLowerCase();
    if (item[method]) throw new Error(`${route.method} ${route.path} is in the route table twice; the document cannot show both`);
    item[method] = operation(route, register);
  }
  const errorResponses: Json = {};
  for (const [code, description] of Object.entries(ERROR_STATUSES)) {
    errorResponses[`Error${code}`] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  errorResponses['Unauthorized'] = {
    description: 'No token, or Keystone did not accept it.',
    headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/KeystoneError' } } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenStack Zun API (zun-ts)',
      version: MAX_VERSION.toString(),
      description:
        'The container API, v1. Microversions from ' + `${MIN_VERSION.toString()} to ${MAX_VERSION.toString()}` +
        ' (header `OpenStack-API-Version: container X.Y`). Each operation names its range in `x-openstack-microversion`; ' +
        'a request body that changes between microversions lists each range in `x-openstack-microversion-schemas`. ' +
        'Schemas are Zun\'s (Draft 4 style); `numMinimum`/`numMaximum` are limits that also apply to numeric strings; ' +
        '`dynamicEnum: <list>` is an `enum` whose values this API set at start (e.g. `image_driver`: the built-in image ' +
        'drivers and the plug-ins\' ones of `image_driver_list`), listed in `x-dynamic-enums`.',
    },
    'x-dynamic-enums': dynamicEnumLists(),
    servers: [{ url: serverUrl }],
    security: [{ keystone: [] }],
    paths,
    components: {
      securitySchemes: { keystone: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'A Keystone token' } },
      parameters: {
        Microversion: {
          name: 'OpenStack-API-Version',
          in: 'header',
          required: false,
          description: `\`container X.Y\` or \`container latest\`; without it, ${MIN_VERSION.toString()}.`,
          schema: { type: 'string' },
        },
      },
      schemas,
      responses: errorResponses,
    },
  };
}
