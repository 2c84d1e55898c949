import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

// Frozen once released (see the initial schema): column definitions are spelled out here.

const LOCK_TABLE = new Table({
  name: 'quota_lock',
  columns: [
    { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
    { name: 'project_id', type: 'varchar', length: '255', isNullable: false },
    { name: 'created_at', type: 'datetime', precision: 6, isNullable: false },
    { name: 'updated_at', type: 'datetime', precision: 6, isNullable: true },
  ],
  indices: [new TableIndex({ name: 'uniq_quota_lock0project_id', columnNames: ['project_id'], isUnique: true })],
});

/**
 * One row per project that creates containers under quota: a create locks its project's row (MariaDB
 * `SELECT … FOR UPDATE`) before counting usage and inserting, so concurrent creates of one project are
 * checked one after another while other projects proceed.
 */
export class AddQuotaLock1732406400000 implements MigrationInterface {
  readonly name = 'AddQuotaLock1732406400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(LOCK_TABLE.clone(), false, true, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable(LOCK_TABLE.name, true, true, true);
  }
}
