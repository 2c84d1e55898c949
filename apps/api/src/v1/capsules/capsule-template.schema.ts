import { type JsonSchema } from '../../http/json-schema.validator';
import {
  availabilityZone, boolean, command, containerName, cpu, environment, imageName, imagePullPolicy, labels, memory, nonNegativeInteger, workdir,
} from '../containers/parameter-types.schema';

// Zun's capsule template schema (parameter_types.capsule_template), in our JSON-schema dialect. One difference on
// purpose: Zun leaves spec.initContainers unchecked (the spec allows any extra key); here init containers are checked
// with the same item schema as containers, so a bad init container is a 400 and not a failure on the host.

const volumeName: JsonSchema = { type: ['string'], minLength: 2, maxLength: 255, pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$' };
const annotations: JsonSchema = { type: ['object', 'null'] };
const commandArray: JsonSchema = { type: ['array'], items: command };

const containerItem: JsonSchema = {
  type: 'object',
  properties: {
    name: containerName,
    image: imageName,
    command: commandArray,
    args: commandArray,
    resources: {
      type: ['object'],
      properties: {
        requests: { type: ['object'], properties: { cpu, memory }, additionalProperties: false },
      },
      additionalProperties: false,
    },
    ports: {
      type: ['array'],
      items: {
        type: 'object',
        properties: {
          name: containerName,
          containerPort: nonNegativeInteger,
          hostPort: nonNegativeInteger,
          protocol: { type: ['string'], enum: ['TCP', 'UDP'] },
        },
        additionalProperties: false,
        required: ['containerPort'],
      },
    },
    volumeMounts: {
      type: ['array'],
      items: {
        type: 'object',
        properties: { name: volumeName, mountPath: { type: ['string'] }, readOnly: boolean },
        additionalProperties: false,
        required: ['name', 'mountPath'],
      },
    },
    env: environment,
    workDir: workdir,
    imagePullPolicy,
    stdin: boolean,
    tty: boolean,
  },
  additionalProperties: false,
  required: ['image'],
};

const containerList: JsonSchema = { type: ['array'], items: containerItem };

const restartPolicy: JsonSchema = { type: ['string'], enum: ['Always', 'OnFailure', 'Never'] };

/** `template` of `POST /v1/capsules` (an object, or a string holding one as JSON). */
export const capsuleTemplate: JsonSchema = {
  type: ['object', 'string'],
  properties: {
    kind: { type: ['string'], enum: ['capsule', 'Capsule'] },
    capsuleVersion: { type: ['string'], enum: ['beta', 'Beta'] },
    metadata: { type: ['object'], properties: { labels, annotations, name: containerName } },
    // Deprecated in Zun, kept for old templates; spec.restartPolicy wins.
    restartPolicy,
    spec: {
      type: ['object'],
      properties: {
        containers: containerList,
        initContainers: containerList,
        volumes: {
          type: ['array', 'null'],
          items: {
            type: 'object',
            properties: {
              name: volumeName,
              cinder: {
                type: 'object',
                properties: {
                  volumeID: { type: 'string', maxLength: 36, minLength: 36 },
                  size: { type: ['integer'], minimum: 1 },
                  autoRemove: boolean,
                },
                additionalProperties: false,
              },
            },
            additionalProperties: true,
            required: ['name', 'cinder'],
          },
        },
        restartPolicy,
      },
      additionalProperties: true,
      required: ['containers'],
    },
    availabilityZone,
  },
  additionalProperties: false,
  required: ['kind', 'spec', 'metadata'],
};

/** Body of `POST /v1/capsules`. */
export const capsuleCreateBody: JsonSchema = {
  type: 'object',
  properties: { template: capsuleTemplate },
  required: ['template'],
  additionalProperties: false,
};
