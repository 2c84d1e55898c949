import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RequestContext, RegistryNotFound, SecretBox, SecretUnreadable } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { type Registry } from '@zun-ts/objects';
import { PolicyEnforcer } from '@zun-ts/policy';
import { testConf } from '../../../tests/fixtures/test-api';
import { type ContainerBackend } from '../containers/container-backend';
import { type ContainerRpc } from '../containers/container-rpc';
import { RegistryService } from './registry.service';
import { MASKED_PASSWORD, registryView } from './registry.view';

const KEY = 'a'.repeat(40);
const ctxOf = (projectId: string, isAdmin = false): RequestContext => ({ projectId, userId: 'u', isAdmin, roles: isAdmin ? ['admin'] : ['member'], requestId: 'req-1' }) as unknown as RequestContext;

describe('RegistryService', () => {
  let db: Database;
  let service: RegistryService;
  before(async () => {
    db = await Database.open('sqlite:///:memory:');
    await db.migrate();
    const backend: ContainerBackend = { stores: db, rpc: {} as ContainerRpc };
    const box = new SecretBox(KEY);
    service = new RegistryService(backend, new PolicyEnforcer(), testConf(), () => box);
  });
  after(() => db.close());

  test('accessFor opens the password of a registry of the caller\'s project only, admins included', async () => {
    const v = await service.create(ctxOf('p1'), { name: 'acc', domain: 'd.example.com', username: 'alice', password: 'pw-1' }, 'http://api');
    assert.deepEqual(await service.accessFor(ctxOf('p1'), 'acc'), { domain: 'd.example.com', username: 'alice', password: 'pw-1' });
    assert.deepEqual(await service.accessFor(ctxOf('p1'), String(v['uuid'])), { domain: 'd.example.com', username: 'alice', password: 'pw-1' });
    await assert.rejects(service.accessFor(ctxOf('p2', true), String(v['uuid'])), RegistryNotFound);
    const row = await db.registries.get({ projectId: 'p1', allProjects: false }, 'acc');
    assert.deepEqual(await service.accessForId(row.id), { domain: 'd.example.com', username: 'alice', password: 'pw-1' });
    await assert.rejects(service.accessForId(row.id + 1000), RegistryNotFound);
  });

  test('a password sealed with another key is SecretUnreadable, never returned as stored', async () => {
    const other = new SecretBox('b'.repeat(40));
    const r = await db.registries.create({ uuid: '11111111-2222-4333-8444-555555555555', domain: 'x', project_id: 'p3', user_id: 'u', password: other.seal('pw') });
    await assert.rejects(service.accessFor(ctxOf('p3'), r.uuid), SecretUnreadable);
  });

  test('the view never shows the password, sealed or not', () => {
    const r: Registry = { id: 1, uuid: 'u-1', name: null, domain: 'd', username: null, password: 'zun1:x:y:z:w', project_id: 'p', user_id: 'u', created_at: new Date(), updated_at: null };
    const v = registryView(r, 'http://h');
    assert.equal(v['password'], MASKED_PASSWORD);
    assert.ok(!JSON.stringify(v).includes('zun1:'));
  });
});
