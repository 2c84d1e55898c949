import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { adminContext, MessagingTimeout } from '@zun-ts/common';
import { GlanceAccess } from '@zun-ts/glance-client';
import { ContainerApi } from '../../../tests/fixtures/container-api.fixture';
import { testConf } from '../../../tests/fixtures/test-api';
import { type ApiImageDriver } from '../images/api-image-driver';
import { GlanceApiImageDriver, GlanceImages } from '../images/glance-images';

/** A loopback Keystone (service login with a catalog) and Glance (images), recording what Glance was asked. */
class FakeGlance {
  requests: Array<{ method: string; url: string; body: string }> = [];
  images: Array<Record<string, unknown>> = [];
  private readonly server = createServer((req, res) => void this.serve(req, res));

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(0, '127.0.0.1', r));
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const c of req) body += String(c);
    const url = req.url ?? '';
    const json = (status: number, doc: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(doc));
    };
    if (url.startsWith('/v3/auth/tokens')) {
      json(201, { token: { expires_at: '2099-01-01T00:00:00Z', catalog: [{ type: 'image', endpoints: [{ interface: 'internal', region_id: 'RegionOne', url: this.url }] }] } }, { 'X-Subject-Token': 'svc' });
      return;
    }
    this.requests.push({ method: req.method ?? '', url, body });
    if (req.method === 'POST' && url === '/v2/images') {
      const img = { id: `11111111-2222-3333-4444-${String(this.images.length).padStart(12, '0')}`, status: 'queued', visibility: 'shared', ...(JSON.parse(body) as object) };
      this.images.push(img);
      json(201, img);
    } else if (req.method === 'GET' && url.startsWith('/v2/images?')) {
      const name = new URL(url, this.url).searchParams.get('name');
      json(200, { images: this.images.filter((i) => name === null || i['name'] === name) });
    } else if (req.method === 'GET' && url.startsWith('/v2/images/')) {
      const img = this.images.find((i) => url.endsWith(String(i['id'])));
      if (img) json(200, img);
      else res.writeHead(404).end();
    } else if (req.method === 'DELETE') {
      this.images = this.images.filter((i) => !url.endsWith(String(i['id'])));
      res.writeHead(204).end();
    } else {
      res.writeHead(500).end();
    }
  }
}

void describe('zun commit with the glance image driver', () => {
  const glance = new FakeGlance();
  let api: ContainerApi;

  before(async () => {
    await glance.listen();
    api = await ContainerApi.start({
      flags: ['--api.auth_strategy=noauth', `--keystone_authtoken.auth_url=${glance.url}/v3`, '--keystone_authtoken.username=zun',
        '--keystone_authtoken.password=p', '--keystone_authtoken.project_name=service', '--glance.endpoint_type=internal'],
    });
    await api.addComputeHost('cn1');
  });
  after(async () => {
    await api.close();
    await glance.close();
  });
  beforeEach(() => {
    api.rpc.sent.length = 0;
    glance.requests = [];
  });

  test('a queued Glance image (docker, raw, the tag in its tags, the caller\'s project) is what the host uploads to; 202 with its id', async () => {
    const c = await api.addContainer({ status: 'Running', host: 'cn1' });
    api.rpc.onCall = () => ({ image_id: 'sha256:abc' });
    const r = await api.request('POST', `/v1/containers/${c.uuid}/commit?repository=myrepo&tag=v2`);
    assert.equal(r.status, 202);
    const made = glance.images.at(-1);
    assert.ok(made);
    assert.deepEqual(r.body, { uuid: made['id'] });
    assert.deepEqual(JSON.parse(glance.requests[0]?.body ?? ''), { name: 'myrepo', container_format: 'docker', disk_format: 'raw', tags: ['v2'], owner: 'pdemo' });
    assert.deepEqual(api.rpc.sent[0]?.args, { container_uuid: c.uuid, repository: 'myrepo', tag: 'v2', glance_image_id: made['id'] });
    assert.deepEqual((await api.db.actions.list(c.uuid)).map((a) => a.action), ['commit']);
  });

  test('the host failing the commit: the Glance image is deleted and the error answered', async () => {
    const c = await api.addContainer({ status: 'Running', host: 'cn1' });
    api.rpc.onCall = () => {
      throw new MessagingTimeout('no reply');
    };
    const before = glance.images.length;
    const r = await api.request('POST', `/v1/containers/${c.uuid}/commit?repository=gone`);
    assert.equal(r.status, 504);
    assert.equal(glance.images.length, before);
    assert.deepEqual(glance.requests.map((q) => q.method), ['POST', 'DELETE']);
  });

  test('the API image driver: presence by id or name, search by prefix or exact name', async () => {
    const conf = testConf(['--api.auth_strategy=noauth', `--glance.api_servers=${glance.url}`, `--keystone_authtoken.auth_url=${glance.url}/v3`,
      '--keystone_authtoken.username=zun', '--keystone_authtoken.password=p', '--keystone_authtoken.project_name=service']);
    const driver: ApiImageDriver = new GlanceApiImageDriver(new GlanceImages(new GlanceAccess(conf)));
    const ctx = { ...adminContext(), authToken: 'user-token' };
    glance.images = [
      { id: 'aaaaaaaa-0000-0000-0000-000000000001', name: 'web', status: 'active', visibility: 'private', owner: 'p', tags: ['v1'], size: 10, container_format: 'docker', disk_format: 'raw', checksum: 'c' },
      { id: 'aaaaaaaa-0000-0000-0000-000000000002', name: 'webapp', status: 'queued', visibility: 'private', owner: 'p', tags: [] },
    ];
    assert.equal(await driver.presence(ctx, 'aaaaaaaa-0000-0000-0000-000000000001', null), 'present');
    assert.equal(await driver.presence(ctx, 'webapp', null), 'present');
    assert.equal(await driver.presence(ctx, 'nothere', null), 'absent');
    const all = await driver.search(ctx, 'web', false, []);
    assert.deepEqual(all.map((i) => i.name), ['web', 'webapp']);
    assert.deepEqual(all[0], {
      id: 'aaaaaaaa-0000-0000-0000-000000000001', name: 'web', tags: ['v1'], status: 'active', size: 10,
      metadata: { container_format: 'docker', disk_format: 'raw', visibility: 'private', owner: 'p', checksum: 'c', created_at: null },
    });
    assert.deepEqual((await driver.search(ctx, 'web', true, [])).map((i) => i.name), ['web']);
    const down: ApiImageDriver = new GlanceApiImageDriver(new GlanceImages(new GlanceAccess(testConf(['--glance.api_servers=http://127.0.0.1:1']))));
    assert.equal(await down.presence(ctx, 'web', null), 'unknown');
  });
});
