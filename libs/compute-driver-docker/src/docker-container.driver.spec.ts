import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '@zun-ts/common';
import { type DockerConf } from '@zun-ts/config';
import { DockerContainerDriver } from './docker-container.driver';

const conf = (host: string): DockerConf => ({
  docker_remote_api_host: host,
  default_registry: '127.0.0.1:5050',
  default_registry_username: null,
  default_registry_password: null,
  default_timeout: 30,
  container_runtime: 'runc',
});

describe('DockerContainerDriver.fromConfig', () => {
  test('takes the socket from [docker] docker_remote_api_host without connecting', () => {
    assert.equal(DockerContainerDriver.fromConfig(conf('unix:///run/zun/docker.sock')).socketPath, '/run/zun/docker.sock');
  });

  test('refuses a TCP engine address with a message naming the option', () => {
    assert.throws(
      () => DockerContainerDriver.fromConfig(conf('tcp://192.0.2.10:2375')),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith('[docker] docker_remote_api_host:'),
    );
  });
});
