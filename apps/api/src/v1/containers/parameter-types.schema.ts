import { IMAGE_DRIVER_NAMES } from '@zun-ts/config';
import { type JsonSchema, setDynamicEnum } from '../../http/json-schema.validator';

// Zun's parameter types. Keyword order matters: the first failing keyword, in
// the order written, is the one reported, as with Zun's validator. Zun's `minimum`/`maximum` read
// numeric strings too; here they are `numMinimum`/`numMaximum` holding the limit as Python prints it.

/** Defaults applied at create when the request leaves them out. */
export const DEFAULT_MEMORY = '512';
export const DEFAULT_CPU = 1.0;
/**
 * The image drivers a request may name (the configured `[DEFAULT] image_driver_list` is checked after the schema),
 * and the default of a create that names none when no configuration is at hand (unit tests).
 */
export const IMAGE_DRIVERS = IMAGE_DRIVER_NAMES;
export const DEFAULT_IMAGE_DRIVER = 'docker';

export const nonNegativeInteger: JsonSchema = { type: ['integer', 'string'], pattern: '^[0-9]*$', numMinimum: '0' };
export const positiveInteger: JsonSchema = { type: ['integer', 'string'], pattern: '^[0-9]*$', numMinimum: '1' };

export const BOOLEAN_EXTENDED_VALUES = [
  true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
  false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no',
] as const;
export const booleanExtended: JsonSchema = { type: ['boolean', 'string'], enum: BOOLEAN_EXTENDED_VALUES };
export const boolean: JsonSchema = { type: ['boolean', 'string'], enum: [true, 'True', 'true', false, 'False', 'false'] };

const IMAGE_DRIVER_ENUM = 'image_driver';
setDynamicEnum(IMAGE_DRIVER_ENUM, [...IMAGE_DRIVERS, null, 'None']);

/**
 * Lets requests name the image drivers of plug-ins too (zun-api's start, once `[DEFAULT] image_driver_list` is
 * checked): the schema then accepts, and its error lists, the built-ins, `names`, None and 'None'.
 */
export function allowPluginImageDrivers(names: readonly string[]): void {
  setDynamicEnum(IMAGE_DRIVER_ENUM, [...IMAGE_DRIVERS, ...names, null, 'None']);
}

/** `image_driver`: the built-in image drivers and (see {@link allowPluginImageDrivers}) the plug-ins' ones. */
export const imageDriver: JsonSchema = { type: ['string', 'null'], dynamicEnum: IMAGE_DRIVER_ENUM };

const NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$';
export const containerName: JsonSchema = { type: ['string', 'null'], minLength: 2, maxLength: 255, pattern: NAME_PATTERN };
// Unanchored on purpose (as in Zun): the name only has to contain two such characters.
export const imageName: JsonSchema = { type: 'string', minLength: 2, maxLength: 255, pattern: '[a-zA-Z0-9][a-zA-Z0-9_.-]' };
export const command: JsonSchema = { type: ['string', 'null'] };
export const commandList: JsonSchema = { type: ['array', 'null'] };
export const entrypoint: JsonSchema = { type: ['array', 'null'] };
export const autoRemove: JsonSchema = { type: ['boolean', 'null'] };
export const cpu: JsonSchema = {
  type: ['number', 'string', 'null'],
  pattern: '^[0-9]*(\\.([0-9]+))?$',
  minLength: 1,
  numMinimum: '0.1',
  numMaximum: '16.0',
};
export const cpuPolicy: JsonSchema = { type: 'string', enum: ['dedicated', 'shared'] };
export const memory: JsonSchema = { type: ['string', 'integer', 'null'], numMinimum: '4', numMaximum: '8192', pattern: '^[0-9]+$' };
export const disk: JsonSchema = { type: ['string', 'integer', 'null'], numMinimum: '1', numMaximum: '160', pattern: '^[0-9]+$' };
export const workdir: JsonSchema = { type: ['string', 'null'] };
export const imagePullPolicy: JsonSchema = {
  type: ['string', 'null'],
  enum: ['never', 'always', 'ifnotpresent', 'Never', 'Always', 'IfNotPresent', null],
};
export const labels: JsonSchema = { type: ['object', 'null'] };
export const hints: JsonSchema = { type: ['object', 'null'] };
export const nets: JsonSchema = {
  type: ['array', 'null'],
  items: {
    type: 'object',
    properties: {
      network: { type: ['string'], minLength: 1, maxLength: 255 },
      'v4-fixed-ip': { type: ['string'], format: 'ipv4' },
      'v6-fixed-ip': { type: ['string'], format: 'ipv6' },
      port: { type: ['string'], maxLength: 255, minLength: 1 },
    },
    additionalProperties: false,
    oneOf: [{ required: ['network'] }, { required: ['port'] }],
  },
};
export const availabilityZone: JsonSchema = { type: ['string', 'null'], minLength: 1, maxLength: 255 };
// Zun declares the inner keys under `items`, which does not apply to objects: they are not checked.
export const healthcheck: JsonSchema = { type: ['object', 'null'] };
export const exposedPorts: JsonSchema = { type: ['object', 'null'] };
export const mounts: JsonSchema = {
  type: ['array', 'null'],
  items: {
    type: 'object',
    properties: {
      type: { type: ['string'] },
      source: { type: ['string'] },
      destination: { type: ['string'] },
      size: { type: ['string', 'integer'] },
    },
    additionalProperties: false,
    anyOf: [{ required: ['source', 'destination'] }, { required: ['size', 'destination'] }],
  },
};
export const environment: JsonSchema = { type: ['object', 'null'], patternProperties: { '.+': { type: ['string'] } } };
export const runtime: JsonSchema = { type: ['string', 'null'] };
/** Zun defines `hostname` twice; the later (string only, 1–255) is the one in force. */
export const hostname: JsonSchema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' };
export const restartPolicy: JsonSchema = {
  type: ['object', 'null'],
  properties: {
    Name: { type: ['string'], enum: ['no', 'always', 'on-failure', 'unless-stopped'] },
    MaximumRetryCount: { type: ['integer', 'string', 'null'], numMinimum: '0', pattern: '^[0-9]+$' },
  },
  additionalProperties: false,
  required: ['Name'],
};
// Unanchored (effectively any string), as in Zun.
export const stringPsArgs: JsonSchema = { type: ['string'], pattern: '[a-zA-Z- ,+]*' };
export const strAndInt: JsonSchema = { type: ['string', 'integer', 'null'] };
export const logsSince: JsonSchema = {
  type: ['string', 'integer', 'null'],
  pattern: '(^[0-9]*$)|([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{1,3})',
};
export const execId: JsonSchema = { type: 'string', maxLength: 64, minLength: 64, pattern: '^[a-f0-9]*$' };
export const execCommand: JsonSchema = { type: ['string'], minLength: 1 };
export const securityGroups: JsonSchema = { type: ['array', 'null'], items: { type: 'string', minLength: 1, maxLength: 255 } };
export const containerRegistry: JsonSchema = { type: ['string'], minLength: 2, maxLength: 255, pattern: NAME_PATTERN };

/**
 * Linux signals as Zun accepts them: `None`, then for each signal (in Python's enum order)
 * `SIGKILL`, `KILL`, `sigkill`, `kill`, `9`.
 */
const LINUX_SIGNALS: readonly [string, number][] = [
  ['SIGHUP', 1], ['SIGINT', 2], ['SIGQUIT', 3], ['SIGILL', 4], ['SIGTRAP', 5], ['SIGABRT', 6], ['SIGBUS', 7],
  ['SIGFPE', 8], ['SIGKILL', 9], ['SIGUSR1', 10], ['SIGSEGV', 11], ['SIGUSR2', 12], ['SIGPIPE', 13], ['SIGALRM', 14],
  ['SIGTERM', 15], ['SIGSTKFLT', 16], ['SIGCHLD', 17], ['SIGCONT', 18], ['SIGSTOP', 19], ['SIGTSTP', 20],
  ['SIGTTIN', 21], ['SIGTTOU', 22], ['SIGURG', 23], ['SIGXCPU', 24], ['SIGXFSZ', 25], ['SIGVTALRM', 26],
  ['SIGPROF', 27], ['SIGWINCH', 28], ['SIGIO', 29], ['SIGPWR', 30], ['SIGSYS', 31], ['SIGRTMIN', 34], ['SIGRTMAX', 64],
];
export const SIGNALS: readonly string[] = [
  'None',
  ...LINUX_SIGNALS.flatMap(([name, num]) => [name, name.replace('SIG', ''), name.toLowerCase(), name.toLowerCase().replace('sig', ''), String(num)]),
];
export const signal: JsonSchema = { type: ['string', 'null'], enum: SIGNALS };

/** A name of zun-ts's own resources (volumes, networks): Zun's container-name characters, from one character on. */
export const resourceName: JsonSchema = { type: ['string', 'null'], minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$' };
/** A JSON boolean only. */
export const strictBoolean: JsonSchema = { type: 'boolean' };
