// Query plans of the container statements on SQLite: each must search the selective index (project, host, uuid),
// never walk container_type's, whose one value covers nearly every row. Found by bench/scale: listing one project
// of 100 rows read all 10,000 rows of the table (2.4 ms instead of 0.7 ms at 10,000 rows, growing with the table).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { type Logger } from '@zun-ts/common';
import { Database } from '../src';
import { newContainer } from './fixtures/containers';
import { createTestDb, type TestDb } from './test-databases';

/** A logger that keeps the SQL statements the repositories send (`debug: true` logs each one). */
function sqlRecorder(): Logger & { statements: { query: string; parameters: unknown[] }[] } {
  const statements: { query: string; parameters: unknown[] }[] = [];
  const l: Logger & { statements: typeof statements } = {
    statements,
    debug: (msg, meta) => {
      if (msg === 'sql' && meta) statements.push({ query: String(meta['query']), parameters: (meta['parameters'] as unknown[] | undefined) ?? [] });
    },
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    child: () => l,
  };
  return l;
}

describe('container statements on SQLite search the selective index', () => {
  let t: TestDb;
  let db: Database;
  let raw: BetterSqlite3.Database;
  const log = sqlRecorder();

  /** The plan of the last statement sent that matches `pattern`. */
  const planOf = (pattern: RegExp): string => {
    const s = [...log.statements].reverse().find((x) => pattern.test(x.query));
    assert.ok(s, `no statement matching ${String(pattern)} was sent`);
    const rows = raw.prepare(`EXPLAIN QUERY PLAN ${s.query}`).all(...(s.parameters as (string | number | null)[])) as { detail: string }[];
    return rows.map((r) => r.detail).join(' | ');
  };

  before(async () => {
    t = await createTestDb('sqlite');
    db = await Database.open(t.url, { logger: log, debug: true });
    await db.migrate();
    for (let i = 0; i < 30; i++) await db.containers.create(newContainer({ project_id: i < 3 ? 'small' : 'big', host: i % 2 ? 'h1' : 'h2' }));
    raw = new BetterSqlite3(t.location, { readonly: true });
  });
  after(async () => {
    raw?.close();
    await db?.close();
    await t?.drop();
  });

  test('listing one project read every project\'s rows: the list searches the project index', async () => {
    const rows = await db.containers.list({ projectId: 'small', allProjects: false }, { limit: 1000, sortKey: 'id', sortDir: 'asc' });
    assert.equal(rows.length, 3);
    const plan = planOf(/^SELECT .* FROM `container` WHERE .*`project_id` = \?/);
    assert.match(plan, /USING INDEX container_project_id_idx/, plan);
    assert.doesNotMatch(plan, /container_container_type_idx/, plan);
  });

  test('a page after a marker searches the project index from the marker on', async () => {
    const [first] = await db.containers.list({ projectId: 'big', allProjects: false }, { limit: 1 });
    assert.ok(first);
    const page = await db.containers.list({ projectId: 'big', allProjects: false }, { limit: 5, marker: first.uuid });
    assert.equal(page.length, 5);
    assert.match(planOf(/^SELECT .* FROM `container` WHERE .*`id` > \?/), /USING INDEX container_project_id_idx \(project_id=\? AND rowid>\?\)/);
  });

  test('a host\'s containers (all projects) search the host index', async () => {
    const rows = await db.containers.list({ projectId: null, allProjects: true }, { filters: { host: 'h1' } });
    assert.equal(rows.length, 15);
    assert.match(planOf(/^SELECT .* FROM `container` WHERE .*`host` = \?/), /USING INDEX container_host_idx/);
  });

  test('a project\'s quota usage counts through the project index', async () => {
    const usage = await db.containers.countUsage('small');
    assert.equal(usage.containers, 3);
    const plan = planOf(/^SELECT COUNT\(\*\) AS containers/);
    assert.match(plan, /container_project_id_idx/, plan);
    assert.doesNotMatch(plan, /container_container_type_idx/, plan);
  });
});
