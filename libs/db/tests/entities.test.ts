// Every entity round-trips through a migrated database unchanged; JSON, booleans, doubles and datetimes
// survive; constraints hold; datetimes are stored in UTC whatever the process time zone.
process.env.TZ = 'America/New_York';

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DataSource, type EntitySchema } from 'typeorm';
import {
  type ComputeNode,
  type Container,
  type ContainerAction,
  type ContainerActionEvent,
  type ExecInstance,
  type Image,
  type Quota,
  type QuotaClass,
  type Volume,
  type VolumeMapping,
} from '@zun-ts/objects';
import { Database, isUniqueViolation } from '../src';
import { openDataSource } from '../src/database';
import {
  ComputeNodeEntity,
  ContainerActionEntity,
  ContainerActionEventEntity,
  ContainerEntity,
  type ContainerRow,
  ExecInstanceEntity,
  ImageEntity,
  QuotaClassEntity,
  QuotaEntity,
  VolumeEntity,
  VolumeMappingEntity,
} from '../src/entities';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const t0 = new Date('2024-05-18T21:02:12.345Z');
const t1 = new Date('2024-05-18T23:59:59.999Z');
const UUID = '6a1c9f2e-6b8d-4c1e-9d1a-3c2b1a0f9e8d';

const container: Omit<Container, 'id'> = {
  uuid: UUID,
  container_type: 0,
  name: 'zeta-7-container',
  project_id: 'p1',
  user_id: 'u1',
  image: 'busybox',
  image_driver: 'docker',
  image_pull_policy: 'ifnotpresent',
  registry_id: null,
  cpu: 0.1,
  cpu_policy: 'shared',
  cpuset: { cpuset_cpus: '0-1', cpuset_mems: '0' },
  memory: '512',
  disk: 10,
  command: ['sh', '-c', 'echo "héllo ✓"'],
  entrypoint: [],
  status: 'Running',
  status_reason: null,
  status_detail: 'Up 3 mins',
  task_state: 'container_starting',
  environment: { A: 'b', EMPTY: '' },
  workdir: '/srv',
  ports: [80, 443],
  exposed_ports: { '80/tcp': {} },
  published_ports: [{ port: 80, protocol: 'tcp', host_ip: '192.0.2.10', host_port: 32768 }],
  hostname: 'c1',
  labels: {},
  addresses: { net1: [{ addr: '172.24.4.3', version: 4, port: 'p1', subnet_id: 's1', preserve_on_delete: false }] },
  host: 'node-1',
  restart_policy: { Name: 'on-failure', MaximumRetryCount: '3' },
  interactive: true,
  tty: false,
  auto_remove: true,
  auto_heal: false,
  privileged: true,
  runtime: 'runc',
  healthcheck: { test: 'true', interval: 10, retries: 3, timeout: 5 },
  security_groups: ['sg-1'],
  container_id: 'f'.repeat(64),
  websocket_url: 'ws://127.0.0.1:2375/v1.41/containers/x/attach/ws',
  websocket_token: 'tok',
  capsule_id: null,
  started_at: t1,
  annotations: { a: 'b' },
  cni_metadata: null,
  created_at: t0,
  updated_at: t1,
};

const computeNode: Omit<ComputeNode, 'id'> = {
  uuid: '0d3f4a8e-0000-4000-8000-000000000001',
  hostname: 'node-1',
  mem_total: 24000,
  mem_free: 20000,
  mem_available: 21000,
  mem_used: 512,
  total_containers: 1,
  running_containers: 1,
  paused_containers: 0,
  stopped_containers: 0,
  cpus: 2,
  cpu_used: 0.3,
  disk_total: 80,
  disk_used: 10,
  disk_quota_supported: false,
  enable_cpu_pinning: true,
  architecture: 'x86_64',
  os_type: 'linux',
  os: 'Debian GNU/Linux 12 (bookworm)',
  kernel_version: '6.1.0',
  labels: { dc: 'one' },
  runtimes: ['runc'],
  numa_topology: null,
  underlay_ip: '192.0.2.10',
  created_at: t0,
  updated_at: null,
};

for (const engine of ENGINES) {
  describeOn(engine, `entities on ${engine}`, () => {
    let t: TestDb;
    let ds: DataSource;

    async function roundTrip<T extends { id: number }>(entity: EntitySchema<T>, row: Omit<T, 'id'>): Promise<T> {
      const repo = ds.getRepository(entity);
      // insert() writes generated and converted values back into its argument: give it a copy
      const res = await repo.insert({ ...row } as never);
      const id = (res.identifiers[0] as { id: number }).id;
      assert.equal(typeof id, 'number');
      const back = await repo.findOneByOrFail({ id } as never);
      assert.deepEqual(back, { id, ...row });
      return back;
    }

    before(async () => {
      t = await createTestDb(engine);
      const db = await Database.open(t.url);
      await db.migrate();
      await db.close();
      ds = (await openDataSource(t.url)).ds;
    });
    after(async () => {
      await ds?.destroy();
      await t?.drop();
    });

    void test('every table round-trips a full row', async () => {
      // revision is the row's write counter (ADR 0024): a new row starts at 0
      const c = await roundTrip<ContainerRow>(ContainerEntity, { ...container, revision: 0 });
      await roundTrip<ComputeNode>(ComputeNodeEntity, computeNode);
      const a = await roundTrip<ContainerAction>(ContainerActionEntity, {
        action: 'create',
        container_uuid: UUID,
        request_id: 'req-1',
        user_id: 'u1',
        project_id: 'p1',
        start_time: t0,
        finish_time: null,
        message: null,
        created_at: t0,
        updated_at: null,
      });
      await roundTrip<ContainerActionEvent>(ContainerActionEventEntity, {
        action_id: a.id,
        event: 'compute__do_container_create',
        start_time: t0,
        finish_time: t1,
        result: 'Error',
        traceback: 'Traceback…\n  line',
        details: null,
        created_at: t0,
        updated_at: t1,
      });
      await roundTrip<Quota>(QuotaEntity, { project_id: 'p1', resource: 'cpu', hard_limit: -1, created_at: t0, updated_at: null });
      await roundTrip<QuotaClass>(QuotaClassEntity, { class_name: 'default', resource: 'memory', hard_limit: 51200, created_at: t0, updated_at: null });
      await roundTrip<ExecInstance>(ExecInstanceEntity, { container_id: c.id, exec_id: 'e'.repeat(64), token: 't', url: null, created_at: t0, updated_at: null });
      await roundTrip<Image>(ImageEntity, {
        uuid: '0d3f4a8e-0000-4000-8000-000000000002',
        project_id: 'p1',
        user_id: 'u1',
        image_id: null,
        repo: 'busybox',
        tag: 'latest',
        size: '4.26 MB',
        host: 'node-1',
        created_at: t0,
        updated_at: null,
      });
      await roundTrip<VolumeMapping>(VolumeMappingEntity, {
        uuid: '0d3f4a8e-0000-4000-8000-000000000003',
        project_id: 'p1',
        user_id: 'u1',
        volume_provider: 'local',
        volume_id: null,
        cinder_volume_id: null,
        container_path: '/data',
        container_uuid: UUID,
        connection_info: null,
        host: 'node-1',
        auto_remove: true,
        contents: 'aGVsbG8=',
        created_at: t0,
        updated_at: null,
      });
      const v = await roundTrip<Volume>(VolumeEntity, {
        uuid: '0d3f4a8e-0000-4000-8000-000000000004',
        name: 'data',
        project_id: 'p1',
        user_id: 'u1',
        size: 3,
        volume_provider: 'local',
        status: 'in-use',
        status_reason: null,
        host: 'node-1',
        shareable: true,
        auto_remove: false,
        fstype: 'ext4',
        cinder_volume_id: null,
        connection_info: '{"path":"/v"}',
        created_at: t0,
        updated_at: t1,
      });
      await roundTrip<VolumeMapping>(VolumeMappingEntity, {
        uuid: '0d3f4a8e-0000-4000-8000-000000000005',
        project_id: 'p1',
        user_id: 'u1',
        volume_provider: 'local',
        volume_id: v.id,
        cinder_volume_id: null,
        container_path: '/data2',
        container_uuid: UUID,
        connection_info: null,
        host: 'node-1',
        auto_remove: false,
        contents: null,
        created_at: t0,
        updated_at: null,
      });
    });

    void test('null JSON columns stay null, empty ones stay empty', async () => {
      const repo = ds.getRepository(ContainerEntity);
      const uuid = '6a1c9f2e-6b8d-4c1e-9d1a-3c2b1a0f0001';
      await repo.insert({ ...container, uuid, command: null, labels: {}, ports: [] } as never);
      const back = await repo.findOneByOrFail({ uuid });
      assert.equal(back.command, null);
      assert.deepEqual(back.labels, {});
      assert.deepEqual(back.ports, []);
    });

    void test('datetimes are stored as UTC, whatever the process time zone', async () => {
      assert.notEqual(new Date(0).getTimezoneOffset(), 0, 'the test must run off UTC to prove anything');
      const [row] = (await ds.query(
        engine === 'sqlite'
          ? 'SELECT created_at AS v FROM container WHERE uuid = ?'
          : "SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS v FROM container WHERE uuid = ?",
        [UUID],
      )) as { v: string }[];
      assert.match(row!.v, /^2024-05-18 21:02:12\.345/);
    });

    void test('unique indexes reject duplicates with a recognisable error', async () => {
      const repo = ds.getRepository(ComputeNodeEntity);
      const dup = { ...computeNode, uuid: '0d3f4a8e-0000-4000-8000-0000000000ff' } as never;
      await assert.rejects(repo.insert(dup), (e: unknown) => isUniqueViolation(e));
      const sameUuid = { ...computeNode, hostname: 'node-2' } as never;
      await assert.rejects(repo.insert(sameUuid), (e: unknown) => isUniqueViolation(e));
      await assert.rejects(
        ds.getRepository(ImageEntity).insert({
          uuid: '0d3f4a8e-0000-4000-8000-0000000000fe', project_id: 'p1', user_id: 'u1', image_id: null,
          repo: 'busybox', tag: 'latest', size: null, host: 'node-1', created_at: t0, updated_at: null,
        } satisfies Omit<Image, 'id'> as never),
        (e: unknown) => isUniqueViolation(e),
      );
    });

    void test('foreign keys are enforced and deleting a container cascades', async () => {
      await assert.rejects(
        ds.getRepository(ContainerActionEntity).insert({
          action: 'start', container_uuid: '00000000-0000-4000-8000-000000000000', request_id: 'r', user_id: null,
          project_id: null, start_time: t0, finish_time: null, message: null, created_at: t0, updated_at: null,
        } satisfies Omit<ContainerAction, 'id'> as never),
        /foreign key/i,
      );
      // A volume cannot go while a mapping names it (ON DELETE RESTRICT); the container's do, with the container.
      await assert.rejects(ds.getRepository(VolumeEntity).delete({ name: 'data' }), /foreign key/i);
      await ds.getRepository(ContainerEntity).delete({ uuid: UUID });
      assert.equal(await ds.getRepository(ContainerActionEntity).countBy({ container_uuid: UUID }), 0);
      assert.equal(await ds.getRepository(ContainerActionEventEntity).count(), 0);
      assert.equal(await ds.getRepository(ExecInstanceEntity).count(), 0);
      assert.equal(await ds.getRepository(VolumeMappingEntity).count(), 0);
      await ds.getRepository(VolumeEntity).delete({ name: 'data' });
      assert.equal(await ds.getRepository(VolumeEntity).count(), 0);
    });

    if (engine === 'sqlite') {
      void test('SQLite runs in WAL mode with a busy timeout and foreign keys on', async () => {
        const [mode] = (await ds.query('PRAGMA journal_mode')) as { journal_mode: string }[];
        const [fk] = (await ds.query('PRAGMA foreign_keys')) as { foreign_keys: number }[];
        const [busy] = (await ds.query('PRAGMA busy_timeout')) as Record<string, number>[];
        assert.equal(mode!.journal_mode, 'wal');
        assert.equal(fk!.foreign_keys, 1);
        assert.ok(Object.values(busy!)[0]! >= 5000);
      });
    }
  });
}
