import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaValidationError } from '@zun-ts/common';
import { ApiVersion } from '../../http/api-version';
import * as s from './container.schemas';
import { allowPluginImageDrivers } from './parameter-types.schema';
import { compileValidator, type JsonSchema } from '../../http/json-schema.validator';

/** The message a validator throws, or null when the parameters pass. */
function messageOf(schema: JsonSchema, source: 'body' | 'query', params: Record<string, unknown>): string | null {
  try {
    compileValidator(schema, source)(params);
    return null;
  } catch (e) {
    assert.ok(e instanceof SchemaValidationError, 'a 400 SchemaValidationError');
    return e.message;
  }
}

const legacy = (p: Record<string, unknown>): string | null => messageOf(s.legacyContainerCreate, 'body', p);
const v120 = (p: Record<string, unknown>): string | null => messageOf(s.containerCreateV120, 'body', p);

describe('create schemas: Zun messages', () => {
  // Expected texts were produced by jsonschema with Zun's validator for the same schemas and input.
  const cases: [Record<string, unknown>, string][] = [
    [{ image: 'busybox', cpu: 'abc' }, "Invalid input for field 'cpu'.Value: 'abc'. 'abc' does not match '^[0-9]*(\\\\.([0-9]+))?$'"],
    [{ image: 'busybox', cpu: '' }, "Invalid input for field 'cpu'.Value: ''. '' should be non-empty"],
    [{ image: 'busybox', cpu: '0.05' }, "Invalid input for field 'cpu'.Value: '0.05'. 0.05 is less than the minimum of 0.1"],
    [{ image: 'busybox', cpu: 0.01 }, "Invalid input for field 'cpu'.Value: '0.01'. 0.01 is less than the minimum of 0.1"],
    [{ image: 'busybox', cpu: '16.5' }, "Invalid input for field 'cpu'.Value: '16.5'. 16.5 is greater than the maximum of 16.0"],
    [{ image: 'busybox', cpu: true }, "Invalid input for field 'cpu'.Value: 'True'. True is not of type 'number', 'string', 'null'"],
    [{ image: 'busybox', memory: '512M' }, "Invalid input for field 'memory'.Value: '512M'. '512M' does not match '^[0-9]+$'"],
    [{ image: 'busybox', memory: '3' }, "Invalid input for field 'memory'.Value: '3'. 3 is less than the minimum of 4"],
    [{ image: 'busybox', memory: 9000 }, "Invalid input for field 'memory'.Value: '9000'. 9000 is greater than the maximum of 8192"],
    [{ image: 'busybox', memory: 1.5 }, "Invalid input for field 'memory'.Value: '1.5'. 1.5 is not of type 'string', 'integer', 'null'"],
    [{ image: 'busybox', memory: ' 5' }, "Invalid input for field 'memory'.Value: ' 5'. ' 5' does not match '^[0-9]+$'"],
    [{ image: 'busybox', disk: '0' }, "Invalid input for field 'disk'.Value: '0'. 0 is less than the minimum of 1"],
    [{ image: 'busybox', disk: 200 }, "Invalid input for field 'disk'.Value: '200'. 200 is greater than the maximum of 160"],
    [{}, "'image' is a required property"],
    [{ name: 'a' }, "Invalid input for field 'name'.Value: 'a'. 'a' is too short"],
    [{ image: 'b' }, "Invalid input for field 'image'.Value: 'b'. 'b' is too short"],
    [{ image: '--' }, "Invalid input for field 'image'.Value: '--'. '--' does not match '[a-zA-Z0-9][a-zA-Z0-9_.-]'"],
    [{ image: 'busybox', name: 'ab c' }, "Invalid input for field 'name'.Value: 'ab c'. 'ab c' does not match '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$'"],
    [{ image: 'busybox', command: ['a'] }, "Invalid input for field 'command'.Value: '['a']'. ['a'] is not of type 'string', 'null'"],
    [{ image: 'busybox', zzz: 1, aaa: 2 }, "Additional properties are not allowed ('aaa', 'zzz' were unexpected)"],
    [{ image: 'busybox', zzz: 1, cpu: 'x' }, "Invalid input for field 'cpu'.Value: 'x'. 'x' does not match '^[0-9]*(\\\\.([0-9]+))?$'"],
    [{ image: 'busybox', environment: { A: 1 } }, "Invalid input for field 'A'.Value: '1'. 1 is not of type 'string'"],
    [{ image: 'busybox', restart_policy: { Name: 'sometimes' } }, "Invalid input for field 'Name'.Value: 'sometimes'. 'sometimes' is not one of ['no', 'always', 'on-failure', 'unless-stopped']"],
    [{ image: 'busybox', restart_policy: { MaximumRetryCount: 1 } }, "Invalid input for field 'restart_policy'.Value: '{'MaximumRetryCount': 1}'. 'Name' is a required property"],
    [{ image: 'busybox', restart_policy: { Name: 'always', MaximumRetryCount: '-1' } }, "Invalid input for field 'MaximumRetryCount'.Value: '-1'. -1 is less than the minimum of 0"],
    [{ image: 'busybox', interactive: 'yes' }, "Invalid input for field 'interactive'.Value: 'yes'. 'yes' is not one of [True, 'True', 'true', False, 'False', 'false']"],
    [{ image: 'busybox', image_driver: 'foo' }, "Invalid input for field 'image_driver'.Value: 'foo'. 'foo' is not one of ['glance', 'docker', None, 'None']"],
    [{ image: 'busybox', nets: [{ network: 'a', port: 'b' }] }, "Invalid input for field '0'.Value: '{'network': 'a', 'port': 'b'}'. {'network': 'a', 'port': 'b'} is valid under each of {'required': ['port']}, {'required': ['network']}"],
    [{ image: 'busybox', nets: [{}] }, "Invalid input for field '0'.Value: '{}'. {} is not valid under any of the given schemas"],
    [{ image: 'busybox', nets: [{ network: 'n', 'v4-fixed-ip': '1.2.3' }] }, "Invalid input for field 'v4-fixed-ip'.Value: '1.2.3'. '1.2.3' is not a 'ipv4'"],
    [{ image: 'busybox', nets: [{ network: 'ok' }, { x: 1 }] }, "Invalid input for field '1'.Value: '{'x': 1}'. Additional properties are not allowed ('x' was unexpected)"],
    [{ image: 'busybox', mounts: [{ source: 'a' }] }, "Invalid input for field '0'.Value: '{'source': 'a'}'. {'source': 'a'} is not valid under any of the given schemas"],
    [{ image: 'busybox', hostname: null }, "Invalid input for field 'hostname'.Value: 'None'. None is not of type 'string'"],
    [{ image: 'busybox', auto_remove: 'true' }, "Invalid input for field 'auto_remove'.Value: 'true'. 'true' is not of type 'boolean', 'null'"],
  ];
  for (const [params, want] of cases) {
    test(`1.1: ${JSON.stringify(params).slice(0, 70)}`, () => assert.equal(legacy(params), want));
  }

  test('image_driver: a plug-in\'s image driver is accepted once zun-api allows it, and listed in the error', () => {
    const foo = "Invalid input for field 'image_driver'.Value: 'foo'. 'foo' is not one of ['glance', 'docker', 'local', None, 'None']";
    try {
      allowPluginImageDrivers(['local']);
      assert.equal(v120({ image: 'busybox', image_driver: 'local' }), null);
      assert.equal(v120({ image: 'busybox', image_driver: 'foo' }), foo);
    } finally {
      allowPluginImageDrivers([]);
    }
    assert.match(v120({ image: 'busybox', image_driver: 'local' }) ?? '', /'local' is not one of \['glance', 'docker', None, 'None'\]/);
  });

  test('valid requests pass, numeric strings included', () => {
    assert.equal(legacy({ image: 'busybox', cpu: '0.5', memory: '512', disk: '10', command: 'sleep 1', interactive: 'True' }), null);
    assert.equal(v120({ image: 'busybox', cpu: 2, memory: 4, command: [], nets: [], mounts: [], labels: {}, environment: {}, hints: {}, auto_remove: false }), null);
  });

  test('1.20 takes command as an array and refuses security_groups with exposed_ports', () => {
    assert.equal(v120({ image: 'busybox', command: 'ls' }), "Invalid input for field 'command'.Value: 'ls'. 'ls' is not of type 'array', 'null'");
    assert.equal(
      v120({ image: 'busybox', security_groups: ['a'], exposed_ports: {} }),
      "{'image': 'busybox', 'security_groups': ['a'], 'exposed_ports': {}} should not be valid under {'required': ['security_groups', 'exposed_ports']}",
    );
    assert.equal(legacy({ image: 'busybox', security_groups: ['a'], exposed_ports: {} }), null, 'allowed together before 1.20');
  });

  test('host exists from 1.39 and entrypoint from 1.40; earlier they are unknown fields', () => {
    const host = { image: 'busybox', host: 'cn1' };
    const ep = { image: 'busybox', entrypoint: ['sh'] };
    const at = (v: string, p: Record<string, unknown>): string | null => {
      try {
        s.createValidatorFor(ApiVersion.parse(v) as ApiVersion)(p);
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    };
    assert.equal(at('1.38', host), "Additional properties are not allowed ('host' was unexpected)");
    assert.equal(at('1.39', host), null);
    assert.equal(at('1.39', ep), "Additional properties are not allowed ('entrypoint' was unexpected)");
    assert.equal(at('1.40', ep), null);
    assert.equal(at('1.19', { image: 'busybox', command: ['ls'] }), "Invalid input for field 'command'.Value: '['ls']'. ['ls'] is not of type 'string', 'null'");
    assert.equal(at('1.20', { image: 'busybox', command: ['ls'] }), null);
  });
});

describe('query and action schemas', () => {
  const q = (schema: JsonSchema, p: Record<string, unknown>): string | null => messageOf(schema, 'query', p);
  const BOOL_EXT = "[True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']";

  test('boolean_extended words, non-negative timeouts, exec ids, required parameters', () => {
    assert.equal(q(s.queryParamDelete, { force: 'maybe' }), `Invalid input for query parameters 'force'. Value: 'maybe'. 'maybe' is not one of ${BOOL_EXT}`);
    assert.equal(q(s.queryParamDelete, { force: 'True', stop: 'False', all_projects: 'False' }), null);
    assert.equal(q(s.queryParamDelete, { purge: '1' }), "Additional properties are not allowed ('purge' was unexpected)");
    assert.equal(q(s.queryParamStop, { timeout: '-1' }), "Invalid input for query parameters 'timeout'. Value: '-1'. '-1' does not match '^[0-9]*$'");
    assert.equal(q(s.queryParamStop, { timeout: '10' }), null);
    assert.equal(q(s.queryParamExecute, {}), "'command' is a required property");
    assert.equal(q(s.queryParamExecute, { command: '' }), "Invalid input for query parameters 'command'. Value: ''. '' should be non-empty");
    assert.equal(q(s.queryParamExecute, { command: 'ls', run: 'yes' }), "Invalid input for query parameters 'run'. Value: 'yes'. 'yes' is not one of [True, 'True', 'true', False, 'False', 'false']");
    assert.equal(q(s.queryParamCommit, {}), "'repository' is a required property");
    assert.equal(q(s.queryParamExecuteResize, { exec_id: 'abc', h: '1', w: '1' }), "Invalid input for query parameters 'exec_id'. Value: 'abc'. 'abc' is too short");
    assert.equal(q(s.queryParamExecuteResize, { exec_id: 'a'.repeat(64), h: '0', w: '1' }), "Invalid input for query parameters 'h'. Value: '0'. 0 is less than the minimum of 1");
    assert.equal(q(s.queryParamLogs, { since: 'yesterday' }), "Invalid input for query parameters 'since'. Value: 'yesterday'. 'yesterday' does not match '(^[0-9]*$)|([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{1,3})'");
    assert.equal(q(s.queryParamLogs, { since: '2024-01-02 03:04:05,123', tail: 'all' }), null);
  });

  test('kill takes None, names with or without SIG, lower case and numbers', () => {
    const kill = (signal: unknown): string | null => messageOf(s.paramSignal, 'body', { signal });
    for (const ok of ['None', 'SIGKILL', 'KILL', 'sigkill', 'kill', '9', 'SIGRTMAX', '64']) assert.equal(kill(ok), null, String(ok));
    assert.match(kill('FOO') ?? '', /^Invalid input for field 'signal'\.Value: 'FOO'\. 'FOO' is not one of \['None', 'SIGHUP', 'HUP', 'sighup', 'hup', '1', /);
    assert.equal(messageOf(s.paramSignal, 'body', { signal: 'SIGKILL', x: '1' }), "Additional properties are not allowed ('x' was unexpected)");
  });

  test('execute in a JSON body: the query\'s rules with JSON booleans, command optional there', () => {
    const body = (p: Record<string, unknown>): string | null => messageOf(s.paramExecute, 'body', p);
    assert.equal(body({}), null);
    assert.equal(body({ command: 'ls', run: false, interactive: 'True' }), null);
    assert.equal(body({ command: ['ls'] }), "Invalid input for field 'command'.Value: '['ls']'. ['ls'] is not of type 'string'");
    assert.equal(body({ command: 'ls', run: 'yes' }), "Invalid input for field 'run'.Value: 'yes'. 'yes' is not one of [True, 'True', 'true', False, 'False', 'false']");
  });

  test('update: same field rules as create, nothing else allowed', () => {
    assert.equal(messageOf(s.containerUpdate, 'body', { memory: '1' }), "Invalid input for field 'memory'.Value: '1'. 1 is less than the minimum of 4");
    assert.equal(messageOf(s.containerUpdate, 'body', { image: 'x' }), "Additional properties are not allowed ('image' was unexpected)");
    assert.equal(messageOf(s.containerUpdate, 'body', { cpu: '2', memory: 1024, name: 'new-name', auto_heal: 'true' }), null);
  });
});
