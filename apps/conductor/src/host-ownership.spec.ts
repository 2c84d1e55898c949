import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerNotFound, type Logger, NotAuthorized, PortNotFound, silentLogger, VolumeNotFound } from '@zun-ts/common';
import { HostOwnership } from './host-ownership';

function recordingLogger(): { logger: Logger; warnings: Array<{ msg: string; fields: Record<string, unknown> | undefined }> } {
  const warnings: Array<{ msg: string; fields: Record<string, unknown> | undefined }> = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    error: () => undefined,
    warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }),
    child: () => logger,
  };
  return { logger, warnings };
}

const A = { host: 'host-a', binary: 'zun-compute' };

test('a container on the caller host passes; another host or none is ContainerNotFound, logged with both hosts', () => {
  const { logger, warnings } = recordingLogger();
  const guard = new HostOwnership(logger);
  const mine = { uuid: 'u1', host: 'host-a' };
  assert.equal(guard.requireContainer(A, mine, 'containerGet'), mine);
  assert.throws(() => guard.requireContainer(A, { uuid: 'u2', host: 'host-b' }, 'containerGet'), ContainerNotFound);
  assert.throws(() => guard.requireContainer(A, { uuid: 'u3', host: null }, 'containerSave'), (e: unknown) => e instanceof ContainerNotFound && /u3/.test(e.message));
  assert.deepEqual(
    warnings.map((w) => [w.fields?.callerHost, w.fields?.containerHost, w.fields?.method]),
    [['host-a', 'host-b', 'containerGet'], ['host-a', null, 'containerSave']],
  );
});

test('a named host must be the caller, and only compute hosts pass', () => {
  const guard = new HostOwnership(silentLogger());
  guard.requireOwnHost(A, 'host-a', 'containersOnHost');
  assert.throws(() => guard.requireOwnHost(A, 'host-b', 'containersOnHost'), NotAuthorized);
  assert.throws(() => guard.requireOwnHost({ host: 'host-a', binary: 'zun-api' }, 'host-a', 'containersOnHost'), NotAuthorized);
  assert.throws(() => guard.requireContainer({ host: 'host-a', binary: 'zun-wsproxy' }, { uuid: 'u1', host: 'host-a' }, 'containerGet'), NotAuthorized);
});

test('a refused volume gets the absent volume\'s error, logged with both hosts', () => {
  const { logger, warnings } = recordingLogger();
  const err = new HostOwnership(logger).refuseVolume(A, 'v1', 'host-b', 'volumeSave');
  assert.ok(err instanceof VolumeNotFound);
  assert.equal(err.message, 'Volume v1 could not be found.');
  assert.deepEqual(warnings.map((w) => [w.fields?.callerHost, w.fields?.volumeHost, w.fields?.volumeUuid, w.fields?.method]),
    [['host-a', 'host-b', 'v1', 'volumeSave']]);
});

test('a refused port gets the absent port\'s error, logged with its container and both hosts', () => {
  const { logger, warnings } = recordingLogger();
  const err = new HostOwnership(logger).refusePort(A, 'p1', 'c1', 'host-b', 'portSave');
  assert.ok(err instanceof PortNotFound);
  assert.equal(err.message, 'Port p1 could not be found.');
  assert.deepEqual(warnings.map((w) => [w.fields?.callerHost, w.fields?.containerHost, w.fields?.containerUuid, w.fields?.portUuid, w.fields?.method]),
    [['host-a', 'host-b', 'c1', 'p1', 'portSave']]);
});
