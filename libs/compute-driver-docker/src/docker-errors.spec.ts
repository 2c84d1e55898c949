import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, Conflict, ContainerNotFound, InvalidValue } from '@zun-ts/common';
import { DockerError, DockerUnavailable, ImageNotFound } from './driver-contract';
import { dockerMessage, toZunError } from './docker-errors';
import { dockerSocketPath } from './docker-host';

/** What docker-modem rejects with when the engine answers an error. */
function modemError(statusCode: number, message: string): Error {
  const e = new Error(`(HTTP code ${statusCode}) unexpected - ${message} `) as Error & { statusCode: number; json: unknown };
  e.statusCode = statusCode;
  e.json = { message };
  return e;
}

describe('toZunError', () => {
  test('404 on a container → ContainerNotFound with the engine message', () => {
    const e = toZunError(modemError(404, 'No such container: zun-x'));
    assert.ok(e instanceof ContainerNotFound);
    assert.equal(e.message, 'No such container: zun-x');
    assert.equal(e.status, 404);
  });

  test('404 on an image → ImageNotFound', () => {
    assert.ok(toZunError(modemError(404, 'No such image: busybox:nope'), 'image') instanceof ImageNotFound);
    assert.ok(toZunError(modemError(404, 'manifest for x:y not found: manifest unknown'), 'image') instanceof ImageNotFound);
  });

  test('404 on a path or an exec → InvalidValue (Zun answers 400 there)', () => {
    assert.ok(toZunError(modemError(404, 'Could not find the file /nope in container zun-x'), 'path') instanceof InvalidValue);
    assert.ok(toZunError(modemError(404, 'No such exec instance: abc'), 'exec') instanceof InvalidValue);
    assert.ok(toZunError(modemError(404, 'No such container: zun-x'), 'path') instanceof ContainerNotFound);
  });

  test('"is not running" / "is paused" / 409 → Conflict', () => {
    assert.ok(toZunError(modemError(409, 'Container abc is not running')) instanceof Conflict);
    assert.ok(toZunError(modemError(409, 'Container abc is paused, unpause the container before stopping or killing')) instanceof Conflict);
    assert.ok(toZunError(modemError(500, 'Container abc is not paused')) instanceof Conflict);
  });

  test('400 → InvalidValue; other engine failures → DockerError, not retryable', () => {
    assert.ok(toZunError(modemError(400, 'invalid restart policy')) instanceof InvalidValue);
    const e = toZunError(modemError(500, 'OCI runtime create failed'));
    assert.ok(e instanceof DockerError && !(e instanceof DockerUnavailable));
    assert.equal(e.retryable, false);
  });

  test('no answer (socket missing, refused) → DockerUnavailable, retryable', () => {
    const e = toZunError(Object.assign(new Error('connect ENOENT /nope.sock'), { code: 'ENOENT' }));
    assert.ok(e instanceof DockerUnavailable);
    assert.equal(e.retryable, true);
  });

  test('dockerMessage strips the docker-modem prefix when there is no JSON body', () => {
    assert.equal(dockerMessage(new Error('(HTTP code 500) server error - boom ')), 'boom');
  });
});

describe('dockerSocketPath', () => {
  test('unix:// gives the socket path', () => {
    assert.equal(dockerSocketPath('unix:///var/run/docker.sock'), '/var/run/docker.sock');
  });
  test('tcp:// and http:// are refused with a clear ConfigError', () => {
    assert.throws(() => dockerSocketPath('tcp://10.0.0.1:2375'), (e: unknown) => e instanceof ConfigError && /only through the local unix socket/.test(e.message));
    assert.throws(() => dockerSocketPath('http://h:2375'), ConfigError);
    assert.throws(() => dockerSocketPath('unix://'), ConfigError);
    assert.throws(() => dockerSocketPath('/var/run/docker.sock'), ConfigError);
  });
});
