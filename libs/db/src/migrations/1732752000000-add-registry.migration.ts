import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

// Frozen once released (see the initial schema): column definitions are spelled out here.

const varchar = (name: string, nullable: boolean, length = 255): { name: string; type: string; length: string; isNullable: boolean } => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

const REGISTRY_TABLE = new Table({
  name: 'registry',
  columns: [
    { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
    varchar('uuid', false, 36),
    varchar('name', true),
    varchar('domain', false),
    varchar('username', true),
    // The sealed password (`zun1:<key id>:<iv>:<tag>:<data>`, base64url): a TEXT so any password fits.
    { name: 'password', type: 'text', isNullable: true },
    varchar('project_id', true),
    varchar('user_id', true),
    { name: 'created_at', type: 'datetime', precision: 6, isNullable: false },
    { name: 'updated_at', type: 'datetime', precision: 6, isNullable: true },
  ],
  indices: [
    new TableIndex({ name: 'uniq_registry0uuid', columnNames: ['uuid'], isUnique: true }),
    new TableIndex({ name: 'registry_project_id_idx', columnNames: ['project_id'] }),
    new TableIndex({ name: 'registry_name_idx', columnNames: ['name'] }),
  ],
});

/** The registry table: private image registries of projects (Zun's `registry` resource), passwords sealed. */
export class AddRegistry1732752000000 implements MigrationInterface {
  readonly name = 'AddRegistry1732752000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(REGISTRY_TABLE.clone(), false, true, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('registry', true, true, true);
  }
}
