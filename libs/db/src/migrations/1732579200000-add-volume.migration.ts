import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

// Frozen once released (see the initial schema): column definitions are spelled out here.

const varchar = (name: string, nullable: boolean, length = 255): { name: string; type: string; length: string; isNullable: boolean } => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

const VOLUME_TABLE = new Table({
  name: 'volume',
  columns: [
    { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
    varchar('uuid', false, 36),
    varchar('name', true),
    varchar('project_id', true),
    varchar('user_id', true),
    { name: 'size', type: 'integer', isNullable: false },
    varchar('volume_provider', false, 36),
    { ...varchar('status', false, 20), default: "'available'" },
    { name: 'status_reason', type: 'text', isNullable: true },
    varchar('host', true),
    { name: 'shareable', type: 'boolean', isNullable: false, default: 0 },
    { name: 'auto_remove', type: 'boolean', isNullable: false, default: 0 },
    varchar('fstype', true, 36),
    varchar('cinder_volume_id', true, 36),
    { name: 'connection_info', type: 'text', isNullable: true },
    { name: 'created_at', type: 'datetime', precision: 6, isNullable: false },
    { name: 'updated_at', type: 'datetime', precision: 6, isNullable: true },
  ],
  indices: [
    new TableIndex({ name: 'uniq_volume0uuid', columnNames: ['uuid'], isUnique: true }),
    new TableIndex({ name: 'volume_project_id_idx', columnNames: ['project_id'] }),
    new TableIndex({ name: 'volume_host_idx', columnNames: ['host'] }),
    // Volumes are addressed by name as often as by uuid.
    new TableIndex({ name: 'volume_name_idx', columnNames: ['name'] }),
  ],
});

const MAPPING_VOLUME_INDEX = new TableIndex({ name: 'volume_mapping_volume_id_idx', columnNames: ['volume_id'] });

// RESTRICT: a mapping never outlives its volume (the repository deletes a volume's mappings before the volume).
const MAPPING_VOLUME_FK = new TableForeignKey({
  name: 'fk_volume_mapping_volume_id',
  columnNames: ['volume_id'],
  referencedTableName: 'volume',
  referencedColumnNames: ['id'],
  onDelete: 'RESTRICT',
  onUpdate: 'NO ACTION',
});

/**
 * The volume table (volumes containers mount, local ones bound to the host that made them) and
 * volume_mapping.volume_id, the volume a mapping mounts (null for an injected file).
 */
export class AddVolume1732579200000 implements MigrationInterface {
  readonly name = 'AddVolume1732579200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(VOLUME_TABLE.clone(), false, true, true);
    // The column in plain SQL both engines accept (TypeORM's addColumn would rebuild the table on SQLite).
    // SQLite can add a named table constraint only by rebuilding the table, which createForeignKey does there
    // (an ALTER TABLE on MariaDB); the table holds a few rows per container.
    await q.query('ALTER TABLE `volume_mapping` ADD `volume_id` integer NULL');
    await q.createIndex('volume_mapping', MAPPING_VOLUME_INDEX.clone());
    await q.createForeignKey('volume_mapping', MAPPING_VOLUME_FK.clone());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropForeignKey('volume_mapping', MAPPING_VOLUME_FK.name!);
    await q.dropIndex('volume_mapping', MAPPING_VOLUME_INDEX.name!);
    await q.query('ALTER TABLE `volume_mapping` DROP COLUMN `volume_id`');
    await q.dropTable(VOLUME_TABLE.name, true, true, true);
  }
}
