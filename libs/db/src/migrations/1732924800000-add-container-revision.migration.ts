import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Frozen once released (see the initial schema). Plain ALTER statements that both engines accept: TypeORM's
// own addColumn rebuilds the whole table on SQLite.

/**
 * container.revision: a counter every UPDATE of the row adds one to, so that a reader can tell whether a row it
 * decoded before is still the same without reading it whole (ADR 0024). Existing rows start at 0.
 */
export class AddContainerRevision1732924800000 implements MigrationInterface {
  readonly name = 'AddContainerRevision1732924800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE `container` ADD `revision` integer NOT NULL DEFAULT 0');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE `container` DROP COLUMN `revision`');
  }
}
