import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

// Frozen once released (see the initial schema): column definitions are spelled out here.

const varchar = (name: string, nullable: boolean, length = 255): { name: string; type: string; length: string; isNullable: boolean } => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const bool = (name: string): { name: string; type: string; isNullable: boolean; default: number } => ({ name, type: 'boolean', isNullable: false, default: 0 });
const stamps = [
  { name: 'created_at', type: 'datetime', precision: 6, isNullable: false },
  { name: 'updated_at', type: 'datetime', precision: 6, isNullable: true },
];

const NETWORK_TABLE = new Table({
  name: 'network',
  columns: [
    { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
    varchar('uuid', false, 36),
    varchar('name', false),
    varchar('project_id', true),
    varchar('user_id', true),
    varchar('cidr', false, 64),
    varchar('gateway', false, 64),
    varchar('subnet_id', false, 36),
    bool('shared'),
    bool('nat_egress'),
    { name: 'segmentation_id', type: 'integer', isNullable: false },
    bool('is_default'),
    // The project whose default network this is, else NULL: unique, so one default per project.
    varchar('default_project', true),
    varchar('driver', false, 36),
    ...stamps,
  ],
  indices: [
    new TableIndex({ name: 'uniq_network0uuid', columnNames: ['uuid'], isUnique: true }),
    new TableIndex({ name: 'uniq_network0cidr', columnNames: ['cidr'], isUnique: true }),
    new TableIndex({ name: 'uniq_network0segmentation_id', columnNames: ['segmentation_id'], isUnique: true }),
    new TableIndex({ name: 'uniq_network0default_project', columnNames: ['default_project'], isUnique: true }),
    new TableIndex({ name: 'network_project_id_idx', columnNames: ['project_id'] }),
    new TableIndex({ name: 'network_name_idx', columnNames: ['name'] }),
  ],
});

const PORT_TABLE = new Table({
  name: 'network_port',
  columns: [
    { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
    varchar('uuid', false, 36),
    varchar('network_uuid', false, 36),
    varchar('container_uuid', false, 36),
    varchar('project_id', true),
    varchar('fixed_ip', true, 64),
    varchar('requested_ip', true, 64),
    varchar('mac_address', true, 32),
    varchar('host', true),
    { name: 'device_index', type: 'integer', isNullable: false, default: 0 },
    bool('preserve_on_delete'),
    { ...varchar('status', false, 20), default: "'pending'" },
    ...stamps,
  ],
  indices: [
    new TableIndex({ name: 'uniq_network_port0uuid', columnNames: ['uuid'], isUnique: true }),
    // Two ports never hold one address; NULL (a pending port) repeats freely on both engines.
    new TableIndex({ name: 'uniq_network_port0network_uuid0fixed_ip', columnNames: ['network_uuid', 'fixed_ip'], isUnique: true }),
    new TableIndex({ name: 'uniq_network_port0container_uuid0network_uuid', columnNames: ['container_uuid', 'network_uuid'], isUnique: true }),
    new TableIndex({ name: 'network_port_container_uuid_idx', columnNames: ['container_uuid'] }),
    new TableIndex({ name: 'network_port_host_idx', columnNames: ['host'] }),
  ],
  foreignKeys: [
    new TableForeignKey({
      name: 'fk_network_port_container_uuid',
      columnNames: ['container_uuid'],
      referencedTableName: 'container',
      referencedColumnNames: ['uuid'],
      onDelete: 'CASCADE',
      onUpdate: 'NO ACTION',
    }),
    // RESTRICT: the repository refuses to delete a network that has ports (NetworkInUse).
    new TableForeignKey({
      name: 'fk_network_port_network_uuid',
      columnNames: ['network_uuid'],
      referencedTableName: 'network',
      referencedColumnNames: ['uuid'],
      onDelete: 'RESTRICT',
      onUpdate: 'NO ACTION',
    }),
  ],
});

/**
 * Project networks (ADR 0007): the network and network_port tables, compute_node.underlay_ip (the host's
 * address on the network that carries them) and container.published_ports (JSON).
 */
export class AddNetwork1732665600000 implements MigrationInterface {
  readonly name = 'AddNetwork1732665600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(NETWORK_TABLE.clone(), false, true, true);
    await q.createTable(PORT_TABLE.clone(), false, true, true);
    // Plain SQL both engines accept (TypeORM's addColumn would rebuild the table on SQLite).
    await q.query('ALTER TABLE `compute_node` ADD `underlay_ip` varchar(64) NULL');
    await q.query('ALTER TABLE `container` ADD `published_ports` text NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE `container` DROP COLUMN `published_ports`');
    await q.query('ALTER TABLE `compute_node` DROP COLUMN `underlay_ip`');
    await q.dropTable(PORT_TABLE.name, true, true, true);
    await q.dropTable(NETWORK_TABLE.name, true, true, true);
  }
}
