import { ZunError } from '@zun-ts/common';

/** The database schema is not the one this code was written for. */
export class SchemaNotCurrent extends ZunError {
  readonly status = 503;
}

/**
 * Refuse to run against a schema other than the newest migration this code
 * knows: services never migrate on their own (`zun-manage db sync` does), and
 * running on an old or newer schema corrupts data quietly.
 * @param current - newest applied migration (`Database.version()`), null for an empty database
 * @param known - migrations this code knows, oldest first (`Database.migrationNames()`)
 * @throws SchemaNotCurrent saying what to do
 */
export function assertSchemaCurrent(current: string | null, known: readonly string[]): void {
  const head = known[known.length - 1] ?? null;
  if (current === head) return;
  if (current === null) {
    throw new SchemaNotCurrent(`the database has no schema yet (expected ${head}); run "zun-manage db sync" first`);
  }
  if (!known.includes(current)) {
    throw new SchemaNotCurrent(`the database schema (${current}) is newer than this release knows (${head}); upgrade this service`);
  }
  throw new SchemaNotCurrent(`the database schema is at ${current} but this release needs ${head}; run "zun-manage db sync"`);
}
