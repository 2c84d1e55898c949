import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

// Frozen once released (see the initial schema): column definitions are spelled out here.

const CLAIM_TABLE = new Table({
  name: 'container_claim',
  columns: [
    { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
    { name: 'container_uuid', type: 'varchar', length: '36', isNullable: false },
    { name: 'hostname', type: 'varchar', length: '255', isNullable: false },
    { name: 'cpu', type: 'double', isNullable: false, default: 0 },
    { name: 'memory', type: 'integer', isNullable: false, default: 0 },
    { name: 'disk', type: 'integer', isNullable: false, default: 0 },
    { name: 'released_at', type: 'datetime', precision: 6, isNullable: true },
    { name: 'created_at', type: 'datetime', precision: 6, isNullable: false },
    { name: 'updated_at', type: 'datetime', precision: 6, isNullable: true },
  ],
  indices: [
    new TableIndex({ name: 'uniq_container_claim0container_uuid', columnNames: ['container_uuid'], isUnique: true }),
    new TableIndex({ name: 'container_claim_hostname_idx', columnNames: ['hostname'] }),
  ],
  foreignKeys: [
    new TableForeignKey({
      name: 'fk_container_claim_container_uuid',
      columnNames: ['container_uuid'],
      referencedTableName: 'container',
      referencedColumnNames: ['uuid'],
      onDelete: 'CASCADE',
      onUpdate: 'NO ACTION',
    }),
  ],
});

const ACTION_INDEX = new TableIndex({
  name: 'uniq_container_action0container_uuid0request_id',
  columnNames: ['container_uuid', 'request_id'],
  isUnique: true,
});
// Containers are addressed by name as often as by uuid (zun show NAME); without it a lookup scans the table.
const NAME_INDEX = new TableIndex({ name: 'container_name_idx', columnNames: ['name'] });
const EVENT_INDEX = new TableIndex({
  name: 'uniq_container_action_event0action_id0event',
  columnNames: ['action_id', 'event'],
  isUnique: true,
});

/**
 * Resource claims per container (so a redelivered claim or release applies once); unique keys that let a
 * redelivered action or event start find the row it already created instead of adding another; an index for
 * container lookups by name.
 */
export class AddContainerClaim1732320000000 implements MigrationInterface {
  readonly name = 'AddContainerClaim1732320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(CLAIM_TABLE.clone(), false, true, true);
    await q.createIndex('container_action', ACTION_INDEX.clone());
    await q.createIndex('container_action_event', EVENT_INDEX.clone());
    await q.createIndex('container', NAME_INDEX.clone());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('container', NAME_INDEX.name!);
    await q.dropIndex('container_action_event', EVENT_INDEX.name!);
    await q.dropIndex('container_action', ACTION_INDEX.name!);
    await q.dropTable(CLAIM_TABLE.name, true, true, true);
  }
}
