import { InvalidValue } from '@zun-ts/common';
import { MarkerNotFound } from './db-errors';
import { quoteId, type SqlEngine, type SqlValue, type TableCodec } from './sql-engine';

/** Sort direction of a list. */
export type SortDir = 'asc' | 'desc';

/** Paging and sorting of a list (the API's `limit`, `marker`, `sort_key`, `sort_dir`). */
export interface PageOptions {
  /** Positive integer; absent → every row. */
  limit?: number | null;
  /** uuid of the last row of the previous page; unknown → {@link MarkerNotFound}. */
  marker?: string | null;
  /** Any column of the table; unknown → InvalidValue (400). */
  sortKey?: string | null;
  /** `asc` (default) or `desc`; anything else → InvalidValue (400). */
  sortDir?: string | null;
}

/** SQL fragments of one page: conditions to AND into the WHERE clause, the ORDER BY and LIMIT. */
export interface PageSql {
  where: string[];
  params: SqlValue[];
  orderBy: string;
  limit: string;
}

/**
 * Keyset pagination as Zun (oslo.db) does it: order by the sort key then `id`, both in the requested
 * direction, and start strictly after the marker row. NULL keys sort first ascending and last descending on
 * both engines, and the marker condition follows that.
 */
export async function pageSql<T>(engine: SqlEngine, codec: TableCodec<T>, opts: PageOptions, defaultSortKey: string): Promise<PageSql> {
  const sortKey = opts.sortKey ?? defaultSortKey;
  if (!codec.column(sortKey)) throw new InvalidValue(`The sort_key value "${sortKey}" is an invalid field for sorting`);
  const dir = opts.sortDir ?? 'asc';
  if (dir !== 'asc' && dir !== 'desc') throw new InvalidValue(`Invalid sort direction: ${dir}. Acceptable values are 'asc' or 'desc'`);
  const { limit } = opts;
  if (limit !== undefined && limit !== null && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new InvalidValue('Limit must be positive integer');
  }
  const k = quoteId(sortKey);
  const d = dir === 'asc' ? 'ASC' : 'DESC';
  const page: PageSql = {
    where: [],
    params: [],
    orderBy: sortKey === 'id' ? `ORDER BY \`id\` ${d}` : `ORDER BY ${k} ${d}, \`id\` ${d}`,
    limit: limit ? `LIMIT ${limit}` : '',
  };
  if (opts.marker !== undefined && opts.marker !== null) {
    const [m] = await engine.select<{ id: number; knull: number }>(
      `SELECT \`id\`, (${k} IS NULL) AS knull FROM ${codec.quotedTable} WHERE \`uuid\` = ?`,
      [opts.marker],
    );
    if (!m) throw new MarkerNotFound(opts.marker);
    const id = Number(m.id);
    if (sortKey === 'id') {
      page.where.push(dir === 'asc' ? '`id` > ?' : '`id` < ?');
      page.params.push(id);
    } else {
      // The marker's key is read in SQL, so every column type compares exactly as stored.
      const mk = `(SELECT ${k} FROM ${codec.quotedTable} WHERE \`id\` = ?)`;
      const markerIsNull = Number(m.knull) !== 0;
      if (dir === 'asc') {
        if (markerIsNull) {
          page.where.push(`((${k} IS NULL AND \`id\` > ?) OR ${k} IS NOT NULL)`);
          page.params.push(id);
        } else {
          page.where.push(`(${k} > ${mk} OR (${k} = ${mk} AND \`id\` > ?))`);
          page.params.push(id, id, id);
        }
      } else if (markerIsNull) {
        page.where.push(`(${k} IS NULL AND \`id\` < ?)`);
        page.params.push(id);
      } else {
        page.where.push(`(${k} < ${mk} OR ${k} IS NULL OR (${k} = ${mk} AND \`id\` < ?))`);
        page.params.push(id, id, id);
      }
    }
  }
  return page;
}
