import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerNotFound } from '@zun-ts/common';
import { type ContainerScope } from '@zun-ts/db';
import { type Container, type ExecInstance } from '@zun-ts/objects';
import { ConsoleRecords } from './console-records';

const A = '3f0e6a1c-2b4d-4e5f-8a9b-0c1d2e3f4a5b';
const EXEC = 'e'.repeat(64);

function records() {
  const lookups: Array<[ContainerScope, string]> = [];
  const upserts: Array<[string, unknown]> = [];
  const row = { id: 7, uuid: A, name: 'web', websocket_url: 'ws://cn1:7000/attach/a', websocket_token: 'tok' } as Container;
  const exec: ExecInstance = { id: 1, container_id: 7, exec_id: EXEC, token: 'etok', url: 'ws://cn1:7000/exec/e', created_at: new Date(), updated_at: null };
  const r = new ConsoleRecords(
    {
      getByIdent: async (scope, ident) => {
        lookups.push([scope, ident]);
        if (ident !== A && ident !== 'web') throw new ContainerNotFound(`Container ${ident} could not be found.`);
        return row;
      },
    },
    {
      get: async (containerId, execId) => (containerId === 7 && execId === EXEC ? exec : null),
      upsert: async (uuid, rec) => {
        upserts.push([uuid, rec]);
        return exec;
      },
    },
  );
  return { r, lookups, upserts };
}

describe('ConsoleRecords', () => {
  test('attach: the container\'s own token and relay address, looked up by uuid or name in every project', async () => {
    const { r, lookups } = records();
    assert.deepEqual(await r.target({ container: 'web', exec_id: null }), { container_uuid: A, url: 'ws://cn1:7000/attach/a', token: 'tok' });
    assert.deepEqual(lookups[0], [{ projectId: null, allProjects: true, containerType: null }, 'web']);
  });

  test('exec: that exec\'s session of that container, or nulls', async () => {
    const { r } = records();
    assert.deepEqual(await r.target({ container: A, exec_id: EXEC }), { container_uuid: A, url: 'ws://cn1:7000/exec/e', token: 'etok' });
    assert.deepEqual(await r.target({ container: A, exec_id: 'f'.repeat(64) }), { container_uuid: A, url: null, token: null });
    await assert.rejects(r.target({ container: 'nope', exec_id: null }), ContainerNotFound);
  });

  test('createExec records token and relay address', async () => {
    const { r, upserts } = records();
    await r.createExec({ container_uuid: A, exec_id: EXEC, token: 't', url: 'ws://x/exec/e' });
    assert.deepEqual(upserts, [[A, { exec_id: EXEC, token: 't', url: 'ws://x/exec/e' }]]);
  });
});
