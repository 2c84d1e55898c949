import { type MigrationInterface, type QueryRunner, Table, type TableColumnOptions, TableForeignKey, TableIndex } from 'typeorm';

// A migration is frozen once released: it defines its columns here rather than reusing the entity
// helpers, so later entity changes cannot rewrite history. Written with the Table API so the same code
// emits MariaDB and SQLite DDL.

const id = (): TableColumnOptions => ({
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});
const varchar = (name: string, nullable: boolean, length = 255): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const text = (name: string): TableColumnOptions => ({ name, type: 'text', isNullable: true });
const int = (name: string, nullable: boolean, dflt?: number): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: nullable,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const double = (name: string, nullable: boolean, dflt?: number): TableColumnOptions => ({
  name,
  type: 'double',
  isNullable: nullable,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const bool = (name: string): TableColumnOptions => ({ name, type: 'boolean', isNullable: false, default: 0 });
const datetime = (name: string, nullable: boolean): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 6,
  isNullable: nullable,
});
const stamps = (): TableColumnOptions[] => [datetime('created_at', false), datetime('updated_at', true)];

const index = (name: string, columnNames: string[], isUnique = false): TableIndex =>
  new TableIndex({ name, columnNames, isUnique });
const fk = (name: string, column: string, table: string, refColumn: string): TableForeignKey =>
  new TableForeignKey({
    name,
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: [refColumn],
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
  });

const TABLES: Table[] = [
  new Table({
    name: 'zun_service',
    columns: [
      id(),
      varchar('host', false),
      varchar('binary', false),
      varchar('topic', false),
      bool('disabled'),
      varchar('disabled_reason', true),
      bool('forced_down'),
      int('report_count', false, 0),
      datetime('last_seen_up', true),
      varchar('availability_zone', true),
      ...stamps(),
    ],
    indices: [index('uniq_zun_service0host0binary', ['host', 'binary'], true)],
  }),
  new Table({
    name: 'compute_node',
    columns: [
      id(),
      varchar('uuid', false, 36),
      varchar('hostname', false),
      int('mem_total', false, 0),
      int('mem_free', false, 0),
      int('mem_available', false, 0),
      int('mem_used', false, 0),
      int('total_containers', false, 0),
      int('running_containers', false, 0),
      int('paused_containers', false, 0),
      int('stopped_containers', false, 0),
      int('cpus', false, 0),
      double('cpu_used', false, 0),
      int('disk_total', false, 0),
      int('disk_used', false, 0),
      bool('disk_quota_supported'),
      bool('enable_cpu_pinning'),
      varchar('architecture', true, 32),
      varchar('os_type', true, 32),
      varchar('os', true, 64),
      varchar('kernel_version', true, 128),
      text('labels'),
      text('runtimes'),
      text('numa_topology'),
      ...stamps(),
    ],
    indices: [
      index('uniq_compute_node0uuid', ['uuid'], true),
      index('uniq_compute_node0hostname', ['hostname'], true),
    ],
  }),
  new Table({
    name: 'container',
    columns: [
      id(),
      varchar('uuid', false, 36),
      int('container_type', false, 0),
      varchar('name', true),
      varchar('project_id', true),
      varchar('user_id', true),
      varchar('image', true),
      varchar('image_driver', true),
      text('image_pull_policy'),
      int('registry_id', true),
      double('cpu', true),
      { ...varchar('cpu_policy', false), default: "'shared'" },
      text('cpuset'),
      varchar('memory', true),
      int('disk', false, 0),
      text('command'),
      text('entrypoint'),
      varchar('status', false, 20),
      text('status_reason'),
      varchar('status_detail', true),
      varchar('task_state', true, 32),
      text('environment'),
      varchar('workdir', true),
      text('ports'),
      text('exposed_ports'),
      varchar('hostname', true),
      text('labels'),
      text('addresses'),
      varchar('host', true),
      text('restart_policy'),
      bool('interactive'),
      bool('tty'),
      bool('auto_remove'),
      bool('auto_heal'),
      bool('privileged'),
      varchar('runtime', true),
      text('healthcheck'),
      text('security_groups'),
      varchar('container_id', true),
      varchar('websocket_url', true),
      varchar('websocket_token', true),
      int('capsule_id', true),
      datetime('started_at', true),
      text('annotations'),
      text('cni_metadata'),
      ...stamps(),
    ],
    indices: [
      index('uniq_container0uuid', ['uuid'], true),
      index('container_project_id_idx', ['project_id']),
      index('container_host_idx', ['host']),
      index('container_container_type_idx', ['container_type']),
      index('container_capsule_id_idx', ['capsule_id']),
    ],
    foreignKeys: [fk('fk_container_capsule_id', 'capsule_id', 'container', 'id')],
  }),
  new Table({
    name: 'container_action',
    columns: [
      id(),
      varchar('action', false),
      varchar('container_uuid', false, 36),
      varchar('request_id', false),
      varchar('user_id', true),
      varchar('project_id', true),
      datetime('start_time', false),
      datetime('finish_time', true),
      varchar('message', true),
      ...stamps(),
    ],
    indices: [
      index('container_action_container_uuid_idx', ['container_uuid']),
      index('container_action_request_id_idx', ['request_id']),
    ],
    foreignKeys: [fk('fk_container_action_container_uuid', 'container_uuid', 'container', 'uuid')],
  }),
  new Table({
    name: 'container_action_event',
    columns: [
      id(),
      int('action_id', false),
      varchar('event', false),
      datetime('start_time', false),
      datetime('finish_time', true),
      varchar('result', true),
      text('traceback'),
      text('details'),
      ...stamps(),
    ],
    indices: [index('container_action_event_action_id_idx', ['action_id'])],
    foreignKeys: [fk('fk_container_action_event_action_id', 'action_id', 'container_action', 'id')],
  }),
  new Table({
    name: 'quota',
    columns: [id(), varchar('project_id', false), varchar('resource', false), int('hard_limit', true), ...stamps()],
    indices: [index('uniq_quota0project_id0resource', ['project_id', 'resource'], true)],
  }),
  new Table({
    name: 'quota_class',
    columns: [id(), varchar('class_name', false), varchar('resource', false), int('hard_limit', true), ...stamps()],
    indices: [index('uniq_quota_class0class_name0resource', ['class_name', 'resource'], true)],
  }),
  new Table({
    name: 'exec_instance',
    columns: [
      id(),
      int('container_id', false),
      varchar('exec_id', false),
      varchar('token', true),
      varchar('url', true),
      ...stamps(),
    ],
    indices: [index('uniq_exec_instance0container_id0exec_id', ['container_id', 'exec_id'], true)],
    foreignKeys: [fk('fk_exec_instance_container_id', 'container_id', 'container', 'id')],
  }),
  new Table({
    name: 'image',
    columns: [
      id(),
      varchar('uuid', false, 36),
      varchar('project_id', true),
      varchar('user_id', true),
      varchar('image_id', true),
      varchar('repo', false),
      varchar('tag', true),
      varchar('size', true),
      varchar('host', true),
      ...stamps(),
    ],
    indices: [
      index('uniq_image0uuid', ['uuid'], true),
      index('uniq_image0repo0tag0host', ['repo', 'tag', 'host'], true),
    ],
  }),
  new Table({
    name: 'volume_mapping',
    columns: [
      id(),
      varchar('uuid', false, 36),
      varchar('project_id', true),
      varchar('user_id', true),
      varchar('volume_provider', false, 36),
      varchar('cinder_volume_id', true, 36),
      varchar('container_path', true),
      varchar('container_uuid', true, 36),
      text('connection_info'),
      varchar('host', true),
      bool('auto_remove'),
      text('contents'),
      ...stamps(),
    ],
    indices: [
      index('uniq_volume_mapping0uuid', ['uuid'], true),
      index('volume_mapping_container_uuid_idx', ['container_uuid']),
    ],
    foreignKeys: [fk('fk_volume_mapping_container_uuid', 'container_uuid', 'container', 'uuid')],
  }),
];

/** The first schema: every table of the service. */
export class InitialSchema1732233600000 implements MigrationInterface {
  // Explicit, because bundling may rename classes and TypeORM otherwise reads the class name.
  readonly name = 'InitialSchema1732233600000';

  async up(q: QueryRunner): Promise<void> {
    // Table objects are mutated by createTable; hand it copies so `up` can run on several connections.
    for (const t of TABLES) await q.createTable(t.clone(), false, true, true);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [...TABLES].reverse()) await q.dropTable(t.name, true, true, true);
  }
}
