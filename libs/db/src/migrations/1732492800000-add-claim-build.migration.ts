import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Frozen once released (see the initial schema). Plain ALTER statements that both engines accept: TypeORM's
// own addColumn rebuilds the whole table on SQLite.

/**
 * container_claim.build: the build state (request, attempt, hosts tried) of the claim's build, so that a
 * container whose compute host dies while it is being created can be rescheduled without that host.
 */
export class AddClaimBuild1732492800000 implements MigrationInterface {
  readonly name = 'AddClaimBuild1732492800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE `container_claim` ADD `build` text NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE `container_claim` DROP COLUMN `build`');
  }
}
