import { type DataSource } from 'typeorm';
import { Conflict, InvalidValue, isUuidLike, VolumeInUse } from '@zun-ts/common';
import { type Volume, type VolumeMapping, VOLUME_STATUSES } from '@zun-ts/objects';
import { pageSql } from './pagination';
import { exec, select, type SqlEngine, type SqlValue, type TxBody } from './sql-engine';
import { VolumeSql, volumeNotFound } from './volume-statements';
import {
  type ContainerMount,
  type HostVolume,
  type NewVolume,
  type ReleasedVolume,
  type VolumeAttachment,
  type VolumeExpectation,
  type VolumeListOptions,
  type VolumePatch,
  type VolumeRepository,
  type VolumeScope,
} from './volume.types';

const PATCHABLE = new Set<string>(['status', 'status_reason', 'host', 'connection_info', 'fstype', 'name']);

/** SQL conditions of an expectation, ANDed into a WHERE clause. */
function expectationSql(expected: VolumeExpectation, where: string[], params: SqlValue[]): void {
  const inList = (col: string, values: readonly (string | null)[]): void => {
    const nonNull = values.filter((v): v is string => v !== null);
    const parts: string[] = [];
    if (nonNull.length) {
      parts.push(`${col} IN (${nonNull.map(() => '?').join(', ')})`);
      params.push(...nonNull);
    }
    if (nonNull.length < values.length) parts.push(`${col} IS NULL`);
    where.push(parts.length ? `(${parts.join(' OR ')})` : '1 = 0');
  };
  if (expected.status) inList('`status`', expected.status);
  if (expected.host) inList('`host`', expected.host);
}

function matches(v: Volume, expected: VolumeExpectation): boolean {
  return (!expected.status || expected.status.includes(v.status)) && (!expected.host || expected.host.includes(v.host));
}

function stateConflict(v: Volume): Conflict {
  return new Conflict(`Volume ${v.uuid} is ${v.status} on host ${v.host ?? '(none)'}, not in a state this operation accepts.`);
}

/** {@link VolumeRepository} in SQL shared by both engines. */
export class SqlVolumeRepository implements VolumeRepository {
  private readonly sql: VolumeSql;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.sql = new VolumeSql(ds, engine.kind);
  }

  private scopeSql(scope: VolumeScope, where: string[], params: SqlValue[]): void {
    if (scope.allProjects) return;
    if (scope.projectId === null) where.push('`project_id` IS NULL');
    else {
      where.push('`project_id` = ?');
      params.push(scope.projectId);
    }
  }

  private async selectVolumes(where: string[], params: SqlValue[], tail = ''): Promise<Volume[]> {
    const sql = `${this.sql.selectVolumes}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${tail}`;
    return this.engine.selectAs(this.sql.volumes, sql, params);
  }

  async create(volume: NewVolume): Promise<Volume> {
    const row = this.sql.volumeRow(volume, new Date());
    const sql = this.sql;
    return this.engine.atomic(() => sql.insertVolumeTx(row));
  }

  async getByUuid(scope: VolumeScope, uuid: string): Promise<Volume> {
    const where = ['`uuid` = ?'];
    const params: SqlValue[] = [uuid.toLowerCase()];
    this.scopeSql(scope, where, params);
    const [v] = await this.selectVolumes(where, params);
    if (!v) throw volumeNotFound(uuid);
    return v;
  }

  async getByName(scope: VolumeScope, name: string): Promise<Volume> {
    const where = ['`name` = ?'];
    const params: SqlValue[] = [name];
    this.scopeSql(scope, where, params);
    const found = await this.selectVolumes(where, params, ' LIMIT 2');
    if (found.length > 1) throw new Conflict('Multiple volumes exist with same name. Please use the volume uuid instead.');
    const [v] = found;
    if (!v) throw volumeNotFound(name);
    return v;
  }

  getByIdent(scope: VolumeScope, ident: string): Promise<Volume> {
    return isUuidLike(ident) ? this.getByUuid(scope, ident) : this.getByName(scope, ident);
  }

  async list(scope: VolumeScope, opts: VolumeListOptions = {}): Promise<Volume[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    this.scopeSql(scope, where, params);
    const page = await pageSql(this.engine, this.sql.volumes, opts, 'id');
    where.push(...page.where);
    params.push(...page.params);
    return this.selectVolumes(where, params, ` ${page.orderBy} ${page.limit}`);
  }

  async update(uuid: string, patch: VolumePatch, expected: VolumeExpectation = {}): Promise<Volume> {
    const codec = this.sql.volumes;
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [key, value] of Object.entries(patch) as [string, unknown][]) {
      if (value === undefined) continue;
      if (!PATCHABLE.has(key)) throw new InvalidValue(`Cannot update volume field: ${key}`);
      if (key === 'status' && !(VOLUME_STATUSES as readonly unknown[]).includes(value)) throw new InvalidValue(`Invalid volume status: ${String(value)}`);
      sets.push(`\`${key}\` = ?`);
      params.push(codec.encode(key, value));
    }
    sets.push('`updated_at` = ?');
    params.push(codec.encode('updated_at', new Date()));
    const id = uuid.toLowerCase();
    const where = ['`uuid` = ?'];
    params.push(id);
    expectationSql(expected, where, params);
    const updateSql = `UPDATE ${codec.quotedTable} SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`;
    const selectSql = `${this.sql.selectVolumes} WHERE \`uuid\` = ?`;
    return this.engine.atomic(function* (): TxBody<Volume> {
      const res = yield* exec(updateSql, params);
      const [row] = yield* select(selectSql, [id]);
      if (!row) throw volumeNotFound(uuid);
      const v = codec.decode(row);
      // Matched rows, not changed rows, on both engines: 0 means the condition failed.
      if (res.affected === 0) throw stateConflict(v);
      return v;
    });
  }

  async destroy(uuid: string, expected: VolumeExpectation = {}): Promise<void> {
    const sql = this.sql;
    const id = uuid.toLowerCase();
    await this.engine.atomic(function* (): TxBody<void> {
      const [row] = yield* select(`${sql.selectVolumes} WHERE \`uuid\` = ?${sql.forUpdate}`, [id]);
      if (!row) return;
      const v = sql.volumes.decode(row);
      if (!matches(v, expected)) throw stateConflict(v);
      // Mappings first: the foreign key keeps a mapping from outliving its volume.
      yield* exec(`DELETE FROM ${sql.mappings.quotedTable} WHERE \`volume_id\` = ?`, [v.id]);
      yield* exec(`DELETE FROM ${sql.volumes.quotedTable} WHERE \`id\` = ?`, [v.id]);
    });
  }

  async bindHost(uuid: string, host: string): Promise<Volume> {
    const sql = this.sql;
    const id = uuid.toLowerCase();
    const stamp = sql.volumes.encode('updated_at', new Date());
    return this.engine.atomic(function* (): TxBody<Volume> {
      yield* exec(`UPDATE ${sql.volumes.quotedTable} SET \`host\` = ?, \`updated_at\` = ? WHERE \`uuid\` = ? AND \`host\` IS NULL`, [host, stamp, id]);
      const [row] = yield* select(`${sql.selectVolumes} WHERE \`uuid\` = ?`, [id]);
      if (!row) throw volumeNotFound(uuid);
      const v = sql.volumes.decode(row);
      if (v.host !== host) throw new VolumeInUse(`Volume ${v.uuid} is on host ${v.host}.`);
      return v;
    });
  }

  async mountsOf(containerUuid: string): Promise<ContainerMount[]> {
    const mappings = await this.engine.selectAs(this.sql.mappings, `${this.sql.selectMappings} WHERE \`container_uuid\` = ? ORDER BY \`id\``, [containerUuid]);
    const ids = [...new Set(mappings.map((m) => m.volume_id).filter((id): id is number => id !== null))];
    const volumes = ids.length ? await this.selectVolumes([`\`id\` IN (${ids.map(() => '?').join(', ')})`], ids) : [];
    const byId = new Map(volumes.map((v) => [v.id, v]));
    return mappings.map((mapping) => ({ mapping, volume: mapping.volume_id === null ? null : (byId.get(mapping.volume_id) ?? null) }));
  }

  releaseMounts(containerUuid: string): Promise<ReleasedVolume[]> {
    const sql = this.sql;
    return this.engine.atomic(() => sql.releaseMountsTx(containerUuid, new Date()));
  }

  async onHost(host: string): Promise<HostVolume[]> {
    const volumes = await this.selectVolumes(['`host` = ?'], [host], ' ORDER BY `id`');
    if (!volumes.length) return [];
    const rows = await this.engine.select<{ volume_id: unknown; container_uuid: unknown }>(
      `SELECT m.\`volume_id\`, m.\`container_uuid\` FROM ${this.sql.mappings.quotedTable} m ` +
        `JOIN ${this.sql.volumes.quotedTable} v ON v.\`id\` = m.\`volume_id\` WHERE v.\`host\` = ? ORDER BY m.\`id\``,
      [host],
    );
    const byVolume = new Map<number, string[]>();
    for (const r of rows) {
      if (r.container_uuid === null) continue;
      const id = Number(r.volume_id);
      byVolume.set(id, [...(byVolume.get(id) ?? []), String(r.container_uuid)]);
    }
    return volumes.map((volume) => ({ volume, container_uuids: byVolume.get(volume.id) ?? [] }));
  }

  async attachmentsOf(volumeIds: readonly number[]): Promise<Map<number, VolumeAttachment[]>> {
    const ids = [...new Set(volumeIds)];
    const out = new Map<number, VolumeAttachment[]>(ids.map((id) => [id, []]));
    if (!ids.length) return out;
    const rows = await this.engine.select<Pick<VolumeMapping, 'volume_id' | 'container_uuid' | 'container_path'>>(
      `SELECT \`volume_id\`, \`container_uuid\`, \`container_path\` FROM ${this.sql.mappings.quotedTable} ` +
        `WHERE \`volume_id\` IN (${ids.map(() => '?').join(', ')}) ORDER BY \`id\``,
      ids,
    );
    for (const r of rows) {
      if (r.container_uuid === null) continue;
      out.get(Number(r.volume_id))?.push({ container_uuid: String(r.container_uuid), container_path: String(r.container_path ?? '') });
    }
    return out;
  }
}
