import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adminContext, silentLogger } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { type ApiImageDriver, type ImagePresence } from './api-image-driver';
import { ImageNotFound } from './image.errors';
import { ImageValidation } from './image-validation';

const ctx = adminContext('req-val');

function docker(answer: ImagePresence, asked: unknown[][] = []): ApiImageDriver {
  return {
    name: 'docker',
    presence: async (...a) => (asked.push(a.slice(1)), answer),
    search: () => Promise.reject(new Error('not in this test')),
  };
}

describe('ImageValidation', () => {
  test('an absent image is 400 ImageNotFound in Zun\'s words; present and unknown pass', async () => {
    const asked: unknown[][] = [];
    const v = new ImageValidation(defaultConf({}), [docker('absent', asked)], silentLogger());
    await assert.rejects(v.validate(ctx, 'busybxo', 'docker'), (e: unknown) => e instanceof ImageNotFound && e.status === 400 && e.message === 'Image busybxo could not be found.');
    assert.deepEqual(asked, [['busybxo', null]]);
    await new ImageValidation(defaultConf({}), [docker('present')], silentLogger()).validate(ctx, 'busybox', 'docker');
    await new ImageValidation(defaultConf({}), [docker('unknown')], silentLogger()).validate(ctx, 'busybox', 'docker');
  });

  test('the container\'s registry access reaches the driver', async () => {
    const asked: unknown[][] = [];
    const access = { domain: 'priv:443', username: 'u', password: 'p' };
    await new ImageValidation(defaultConf({}), [docker('present', asked)], silentLogger()).validate(ctx, 'app', 'docker', access);
    assert.deepEqual(asked, [['app', access]]);
  });

  test('turned off, or a driver not enabled here: nothing is asked', async () => {
    const asked: unknown[][] = [];
    await new ImageValidation(defaultConf({ api: { enable_image_validation: false } }), [docker('absent', asked)], silentLogger()).validate(ctx, 'x', 'docker');
    await new ImageValidation(defaultConf({}), [docker('absent', asked)], silentLogger()).validate(ctx, 'x', 'glance');
    assert.deepEqual(asked, []);
  });
});
