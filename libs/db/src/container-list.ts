import { InvalidValue } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { type PageOptions } from './pagination';
import { type RevisionMemo } from './revision-memo';
import { type SqlEngine, type SqlValue, type TableCodec } from './sql-engine';

// The container lists: their filters, the query both list() and listShared() run, and the two-step read of
// listShared (ADR 0024).

/** Columns a list can filter on (exact match). */
export const CONTAINER_FILTER_KEYS = [
  'name',
  'image',
  'project_id',
  'user_id',
  'memory',
  'host',
  'task_state',
  'status',
  'auto_remove',
  'uuid',
  'image_driver',
  'cpu',
  'disk',
  'hostname',
  'runtime',
  'cpu_policy',
  'auto_heal',
  'interactive',
  'tty',
  'privileged',
  'capsule_id',
  'registry_id',
  'container_id',
] as const;
/** One of {@link CONTAINER_FILTER_KEYS}. */
export type ContainerFilterKey = (typeof CONTAINER_FILTER_KEYS)[number];
/** Exact-match filters, ANDed; a value list matches any of its values, null matches NULL. */
export type ContainerFilters = { [K in ContainerFilterKey]?: Container[K] | readonly Container[K][] };

/** Options of {@link ContainerRepository.list}. Default order: `id` ascending. */
export interface ContainerListOptions extends PageOptions {
  filters?: ContainerFilters;
}

/** The parts of one list's SELECT after its column list: conditions (ANDed), their values, ORDER BY and LIMIT. */
export interface ContainerListQuery {
  where: string[];
  params: SqlValue[];
  orderBy: string;
  limit: string;
}

const FILTER_KEYS = new Set<string>(CONTAINER_FILTER_KEYS);

/** Adds the list filters to `where` and `params`; throws InvalidValue for a column that is no filter. */
export function filterSql(codec: TableCodec<Container>, filters: ContainerFilters, where: string[], params: SqlValue[]): void {
  for (const [key, value] of Object.entries(filters) as [string, unknown][]) {
    if (value === undefined) continue;
    if (!FILTER_KEYS.has(key)) throw new InvalidValue(`Invalid filter: ${key}`);
    const col = `\`${key}\``;
    if (value === null) where.push(`${col} IS NULL`);
    else if (Array.isArray(value)) {
      const values = value as unknown[];
      const nonNull = values.filter((v) => v !== null);
      const parts: string[] = [];
      if (nonNull.length) {
        parts.push(`${col} IN (${nonNull.map(() => '?').join(', ')})`);
        params.push(...nonNull.map((v) => codec.encode(key, v)));
      }
      if (nonNull.length < values.length) parts.push(`${col} IS NULL`);
      where.push(parts.length ? `(${parts.join(' OR ')})` : '1 = 0');
    } else {
      where.push(`${col} = ?`);
      params.push(codec.encode(key, value));
    }
  }
}

/** `SELECT <columns> FROM <table> <the query>`. */
export function listSql(codec: TableCodec<Container>, columns: string, q: ContainerListQuery): string {
  return `SELECT ${columns} FROM ${codec.quotedTable}${q.where.length ? ` WHERE ${q.where.join(' AND ')}` : ''} ${q.orderBy} ${q.limit}`;
}

/** Ids per `IN (…)` of the second read: well under either engine's limit of placeholders. */
const IN_CHUNK = 500;

/**
 * The page of `q` as shared rows: first its `(id, revision)` pairs, then the whole rows of only those ids that
 * `memo` does not hold at that revision, decoded once and kept there. Returns null when a row of the page was
 * deleted or written between the two reads (the page would mix two moments): the caller reads it again whole.
 */
export async function readSharedPage(
  engine: SqlEngine,
  codec: TableCodec<Container>,
  memo: RevisionMemo<Container>,
  q: ContainerListQuery,
): Promise<Readonly<Container>[] | null> {
  const page = await engine.select<{ id: unknown; revision: unknown }>(listSql(codec, '`id`, `revision`', q), q.params);
  const out = new Array<Readonly<Container>>(page.length);
  const missing = new Map<number, { at: number; revision: number }>();
  for (let i = 0; i < page.length; i++) {
    const id = Number(page[i]!.id);
    const revision = Number(page[i]!.revision);
    const row = memo.get(id, revision);
    if (row === undefined) missing.set(id, { at: i, revision });
    else out[i] = row;
  }
  if (!missing.size) return out;
  const ids = [...missing.keys()];
  let stale = false;
  for (let from = 0; from < ids.length; from += IN_CHUNK) {
    const chunk = ids.slice(from, from + IN_CHUNK);
    const sql = `SELECT ${codec.selectList} FROM ${codec.quotedTable} WHERE \`id\` IN (${chunk.map(() => '?').join(', ')})`;
    for (const raw of await engine.select(sql, chunk)) {
      const id = Number(raw['id']);
      const revision = Number(raw['revision']);
      const row = memo.put(id, revision, codec.decode(raw));
      const want = missing.get(id);
      if (want === undefined) continue;
      missing.delete(id);
      if (want.revision === revision) out[want.at] = row;
      else stale = true; // kept all the same: it is the row as it is now
    }
  }
  return stale || missing.size ? null : out;
}
