import { ApiVersion } from '../../http/api-version';
import { compileValidator, type JsonSchema } from '../../http/json-schema.validator';
import { type SchemaValidator } from '../../http/schema-registry';
import { type VersionedValidator } from '../route-table';
import * as t from './parameter-types.schema';

// Request schemas of the container API per microversion range.
// Property order follows Zun's, so the same field is reported first.

const legacyProperties: Record<string, JsonSchema> = {
  name: t.containerName,
  image: t.imageName,
  command: t.command,
  cpu: t.cpu,
  cpu_policy: t.cpuPolicy,
  memory: t.memory,
  workdir: t.workdir,
  auto_remove: t.autoRemove,
  image_pull_policy: t.imagePullPolicy,
  labels: t.labels,
  environment: t.environment,
  restart_policy: t.restartPolicy,
  interactive: t.boolean,
  tty: t.boolean,
  image_driver: t.imageDriver,
  security_groups: t.securityGroups,
  hints: t.hints,
  mounts: t.mounts,
  nets: t.nets,
  runtime: t.runtime,
  hostname: t.hostname,
  disk: t.disk,
  availability_zone: t.availabilityZone,
  auto_heal: t.boolean,
  privileged: t.boolean,
  healthcheck: t.healthcheck,
  exposed_ports: t.exposedPorts,
  registry: t.containerRegistry,
};

/** 1.1–1.19: `command` is a string (split shell-style). */
export const legacyContainerCreate: JsonSchema = {
  type: 'object',
  properties: legacyProperties,
  required: ['image'],
  additionalProperties: false,
};

function containerCreate(extra: Record<string, JsonSchema>): JsonSchema {
  return {
    type: 'object',
    properties: { ...legacyProperties, command: t.commandList, ...extra },
    allOf: [{ required: ['image'] }, { not: { required: ['security_groups', 'exposed_ports'] } }],
    additionalProperties: false,
  };
}

/** 1.20–1.38: `command` is an array; `security_groups` and `exposed_ports` exclude each other. */
export const containerCreateV120 = containerCreate({});
/** 1.39: + `host`. */
export const containerCreateV139 = containerCreate({ host: t.hostname });
/** 1.40: + `entrypoint`. */
export const containerCreateV140 = containerCreate({ host: t.hostname, entrypoint: t.entrypoint });

const object = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});

export const queryParamCreate = object({ run: t.booleanExtended });
export const containerUpdate = object({ cpu: t.cpu, memory: t.memory, name: t.containerName, auto_heal: t.boolean });
export const queryParamDelete = object({ force: t.booleanExtended, all_projects: t.booleanExtended, stop: t.booleanExtended });
export const queryParamStop = object({ timeout: t.nonNegativeInteger });
export const queryParamReboot = queryParamStop;
export const queryParamRename = object({ name: t.containerName }, ['name']);
export const queryParamLogs = object({ stdout: t.booleanExtended, stderr: t.booleanExtended, timestamps: t.booleanExtended, tail: t.strAndInt, since: t.logsSince });
export const queryParamTop = object({ ps_args: t.stringPsArgs });
export const queryParamResize = object({ h: t.positiveInteger, w: t.positiveInteger }, ['h', 'w']);
export const queryParamExecuteResize = object({ exec_id: t.execId, h: t.positiveInteger, w: t.positiveInteger }, ['exec_id', 'h', 'w']);
export const paramSignal = object({ signal: t.signal });
const executeProperties = { run: t.boolean, interactive: t.boolean, command: t.execCommand };
export const queryParamExecute = object(executeProperties, ['command']);
/** The same parameters in a JSON body; `command` may then come from the query string instead. */
export const paramExecute = object(executeProperties);
export const queryParamCommit = object({ repository: t.stringPsArgs, tag: t.stringPsArgs }, ['repository']);
export const paramArchive = { type: 'object', properties: { path: { type: 'string', minLength: 1 } }, required: ['path'] } as const;
export const paramPutArchive = {
  type: 'object',
  properties: { path: { type: 'string', minLength: 1 }, data: { type: 'string' } },
  required: ['path', 'data'],
} as const;

const networkIdent: JsonSchema = { type: 'string', minLength: 1, maxLength: 255 };
/** network_detach (≥1.6): exactly one of `network` / `port`, in the query. */
export const queryParamNetworkDetach: JsonSchema = {
  ...object({ network: networkIdent, port: networkIdent }),
  oneOf: [{ required: ['network'] }, { required: ['port'] }],
};
/** network_attach (≥1.8): `network` (with an optional `fixed_ip`) or `port`, not both. */
export const paramNetworkAttach: JsonSchema = {
  ...object({ network: networkIdent, port: networkIdent, fixed_ip: { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] } }),
  oneOf: [{ required: ['network'] }, { required: ['port'] }],
};
/** add_security_group / remove_security_group (≤1.14). */
export const paramSecurityGroup = object({ name: { type: 'string', minLength: 1, maxLength: 255 } }, ['name']);

/** Validators, compiled once. */
export const validators = {
  createV101: compileValidator(legacyContainerCreate, 'body'),
  createV120: compileValidator(containerCreateV120, 'body'),
  createV139: compileValidator(containerCreateV139, 'body'),
  createV140: compileValidator(containerCreateV140, 'body'),
  createQuery: compileValidator(queryParamCreate, 'query'),
  update: compileValidator(containerUpdate, 'body'),
  deleteQuery: compileValidator(queryParamDelete, 'query'),
  stopQuery: compileValidator(queryParamStop, 'query'),
  rebootQuery: compileValidator(queryParamReboot, 'query'),
  renameQuery: compileValidator(queryParamRename, 'query'),
  logsQuery: compileValidator(queryParamLogs, 'query'),
  topQuery: compileValidator(queryParamTop, 'query'),
  resizeQuery: compileValidator(queryParamResize, 'query'),
  executeResizeQuery: compileValidator(queryParamExecuteResize, 'query'),
  kill: compileValidator(paramSignal, 'body'),
  executeQuery: compileValidator(queryParamExecute, 'query'),
  executeBody: compileValidator(paramExecute, 'body'),
  commitQuery: compileValidator(queryParamCommit, 'query'),
  getArchive: compileValidator(paramArchive, 'body'),
  putArchive: compileValidator(paramPutArchive, 'body'),
  networkDetachQuery: compileValidator(queryParamNetworkDetach, 'query'),
  networkAttach: compileValidator(paramNetworkAttach, 'query'),
  securityGroup: compileValidator(paramSecurityGroup, 'query'),
};

const V1_20 = new ApiVersion(1, 20);
const V1_39 = new ApiVersion(1, 39);
const V1_40 = new ApiVersion(1, 40);

/** The create-body validators and the microversions each holds for. */
export const createBodyValidators: readonly VersionedValidator[] = [
  { maxVersion: new ApiVersion(1, 19), validator: validators.createV101 },
  { minVersion: V1_20, maxVersion: new ApiVersion(1, 38), validator: validators.createV120 },
  { minVersion: V1_39, maxVersion: V1_39, validator: validators.createV139 },
  { minVersion: V1_40, validator: validators.createV140 },
];

/** The create-body validator of a microversion. */
export function createValidatorFor(v: ApiVersion): SchemaValidator {
  const entry = createBodyValidators.find((e) => !(e.minVersion && v.lt(e.minVersion)) && !(e.maxVersion && v.gt(e.maxVersion)));
  return (entry ?? (createBodyValidators[createBodyValidators.length - 1] as VersionedValidator)).validator;
}
