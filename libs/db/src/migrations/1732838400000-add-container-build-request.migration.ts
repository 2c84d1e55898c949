import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

// Frozen once released (see the initial schema): column definitions are spelled out here.

const BUILD_REQUEST_TABLE = new Table({
  name: 'container_build_request',
  columns: [
    { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
    { name: 'container_uuid', type: 'varchar', length: '36', isNullable: false },
    // The build request as the conductor receives it (wire context and arguments), JSON.
    { name: 'request', type: 'text', isNullable: true },
    { name: 'created_at', type: 'datetime', precision: 6, isNullable: false },
    { name: 'updated_at', type: 'datetime', precision: 6, isNullable: true },
  ],
  indices: [new TableIndex({ name: 'uniq_container_build_request0container_uuid', columnNames: ['container_uuid'], isUnique: true })],
  foreignKeys: [
    new TableForeignKey({
      name: 'fk_container_build_request_container_uuid',
      columnNames: ['container_uuid'],
      referencedTableName: 'container',
      referencedColumnNames: ['uuid'],
      onDelete: 'CASCADE',
      onUpdate: 'NO ACTION',
    }),
  ],
});

/**
 * container_build_request: each container's build request, written with the container in one transaction, so a
 * build whose message the bus lost (a Redis that lost its data) can be run again by the conductor's recovery.
 */
export class AddContainerBuildRequest1732838400000 implements MigrationInterface {
  readonly name = 'AddContainerBuildRequest1732838400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(BUILD_REQUEST_TABLE.clone(), false, true, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable(BUILD_REQUEST_TABLE.name, true, true, true);
  }
}
