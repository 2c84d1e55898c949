import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { Database } from './database';
import { openDatabase } from './open-database';
import { SchemaNotCurrent } from './schema-check';

describe('openDatabase', () => {
  test('opens [database] connection at the schema head and refuses one that is not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zun-open-db-'));
    try {
      const conf = defaultConf({ database: { connection: `sqlite:///${join(dir, 'zun.sqlite')}` } });
      await assert.rejects(openDatabase(conf, silentLogger()), SchemaNotCurrent);
      const admin = await Database.open(conf.database.connection);
      await admin.migrate();
      await admin.close();
      const db = await openDatabase(conf, silentLogger());
      assert.deepEqual(await db.services.list(), []);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
