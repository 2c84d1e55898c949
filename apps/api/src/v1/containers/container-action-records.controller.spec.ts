import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, ContainerApi, DEMO, zunError } from '../../../tests/fixtures/container-api.fixture';

describe('/v1/containers/{id}/container_actions', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
    await api.addComputeHost('cn1');
  });
  after(() => api.close());

  test('list (newest first) and show with events; tracebacks only for admins', async () => {
    const c = await api.addContainer({ status: 'Stopped', host: 'cn1' });
    const started = await api.request('POST', `/v1/containers/${c.uuid}/start`);
    const startId = started.headers.get('x-openstack-request-id') as string;
    await api.db.actions.eventStart(startId, c.uuid, 'compute__do_container_start', 'cn1');
    await api.db.actions.eventFinish(startId, c.uuid, 'compute__do_container_start', 'Error', 'Traceback (most recent call last): boom');
    await api.db.containers.update(c.uuid, { status: 'Running', task_state: null });
    await new Promise((r) => setTimeout(r, 5));
    const stopped = await api.request('POST', `/v1/containers/${c.uuid}/stop?timeout=10`);
    const stopId = stopped.headers.get('x-openstack-request-id') as string;

    const list = await api.request('GET', `/v1/containers/${c.uuid}/container_actions`);
    assert.equal(list.status, 200);
    const actions = (list.body as { containerActions: Record<string, unknown>[] }).containerActions;
    assert.deepEqual(actions.map((a) => [a['action'], a['request_id']]), [['stop', stopId], ['start', startId]]);
    assert.deepEqual(Object.keys(actions[0] ?? {}), ['action', 'container_uuid', 'request_id', 'user_id', 'project_id', 'start_time', 'finish_time', 'message']);
    assert.match(String(actions[0]?.['start_time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);

    const show = await api.request('GET', `/v1/containers/${c.name as string}/container_actions/${startId}`, { headers: DEMO });
    const body = show.body as Record<string, unknown> & { events: Record<string, unknown>[] };
    assert.equal(body['action'], 'start');
    assert.equal(body['message'], 'Error');
    assert.equal(body.events.length, 1);
    assert.equal(body.events[0]?.['event'], 'compute__do_container_start');
    assert.equal(body.events[0]?.['result'], 'Error');
    assert.equal(body.events[0]?.['traceback'], null, 'hidden from non-admins');
    const asAdmin = await api.request('GET', `/v1/containers/${c.uuid}/container_actions/${startId}`, { headers: ADMIN });
    assert.equal((asAdmin.body as { events: Record<string, unknown>[] }).events[0]?.['traceback'], 'Traceback (most recent call last): boom');
  });

  test('unknown request id → 404 ResourceNotFound; unknown container → 404', async () => {
    const c = await api.addContainer();
    const r = await api.request('GET', `/v1/containers/${c.uuid}/container_actions/req-nope`);
    assert.equal(r.status, 404);
    assert.deepEqual([zunError(r.body).code, zunError(r.body).detail], ['container.resource-not-found', 'The Action resource req-nope could not be found.']);
    const other = await api.addContainer({ project_id: 'palt' });
    assert.equal((await api.request('GET', `/v1/containers/${other.uuid}/container_actions`)).status, 404);
  });
});
