import { type DataSource } from 'typeorm';
import { Conflict, InvalidValue, VolumeInUse, VolumeNotFound } from '@zun-ts/common';
import { type Volume, type VolumeMapping } from '@zun-ts/objects';
import { type ConnectionTarget } from './connection-url';
import { VolumeEntity, VolumeMappingEntity } from './entities';
import { exec, insertOf, select, type SqlValue, TableCodec, type TxBody } from './sql-engine';
import { type MountPlan, type NewVolume, type ReleasedVolume } from './volume.types';
import { isUniqueViolation } from './zun-service.repository';

// The volume statements and transaction bodies shared by the volume, container and quota repositories: a
// container create writes its mounts, a container destroy releases them, in the same transaction as the row.

/** The owner of a new container's mapping rows. */
export interface MountOwner {
  uuid: string;
  project_id: string;
  user_id: string | null;
}

/** VolumeNotFound in Zun's words. */
export function volumeNotFound(ident: string): VolumeNotFound {
  return new VolumeNotFound(`Volume ${ident} could not be found.`);
}

const VOLUME_DEFAULTS: Omit<Volume, 'id' | 'uuid' | 'size' | 'project_id' | 'created_at'> = {
  name: null,
  user_id: null,
  volume_provider: 'local',
  status: 'available',
  status_reason: null,
  host: null,
  shareable: false,
  auto_remove: false,
  fstype: null,
  cinder_volume_id: null,
  connection_info: null,
  updated_at: null,
};

/** Codecs and transaction bodies of the `volume` and `volume_mapping` tables. */
export class VolumeSql {
  readonly volumes: TableCodec<Volume>;
  readonly mappings: TableCodec<VolumeMapping>;
  /** `SELECT <every volume column> FROM volume`. */
  readonly selectVolumes: string;
  /** `SELECT <every mapping column> FROM volume_mapping`. */
  readonly selectMappings: string;
  /** Appended to a SELECT that locks the rows it reads until commit (MariaDB; SQLite transactions are serial). */
  readonly forUpdate: string;

  constructor(ds: DataSource, kind: ConnectionTarget['kind']) {
    this.volumes = new TableCodec(ds, VolumeEntity);
    this.mappings = new TableCodec(ds, VolumeMappingEntity);
    this.selectVolumes = `SELECT ${this.volumes.selectList} FROM ${this.volumes.quotedTable}`;
    this.selectMappings = `SELECT ${this.mappings.selectList} FROM ${this.mappings.quotedTable}`;
    this.forUpdate = kind === 'mysql' ? ' FOR UPDATE' : '';
  }

  /** The row a new volume is stored as (defaults filled in, uuid in lower case). Throws InvalidValue. */
  volumeRow(volume: NewVolume, now: Date): Omit<Volume, 'id'> {
    const row: Omit<Volume, 'id'> = { ...VOLUME_DEFAULTS, uuid: '', size: 0, project_id: null, created_at: now };
    for (const [key, value] of Object.entries(volume) as [string, unknown][]) {
      if (value === undefined) continue;
      if (!this.volumes.column(key) || key === 'id') throw new InvalidValue(`Unknown volume field: ${key}`);
      (row as Record<string, unknown>)[key] = value;
    }
    row.uuid = row.uuid.toLowerCase();
    if (!Number.isSafeInteger(row.size) || row.size < 1) throw new InvalidValue(`Invalid volume size: ${String(row.size)}`);
    return row;
  }

  /** Transaction body: inserts a volume row; a duplicate uuid is a Conflict. */
  *insertVolumeTx(row: Omit<Volume, 'id'>): TxBody<Volume> {
    const insert = insertOf(this.volumes, row);
    try {
      const res = yield* exec(insert.sql, insert.params);
      return { id: res.insertId, ...row };
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`A volume with UUID ${row.uuid} already exists.`);
      throw e;
    }
  }

  /**
   * Transaction body: reserves the project's volume `uuid` for a container (the reservation rule of
   * VolumeRepository) and returns it. VolumeNotFound when the project has no such volume, VolumeInUse when
   * it cannot be reserved.
   */
  *reserveTx(projectId: string, uuid: string, now: Date): TxBody<Volume> {
    const id = uuid.toLowerCase();
    const res = yield* exec(
      `UPDATE ${this.volumes.quotedTable} SET \`status\` = 'in-use', \`updated_at\` = ? ` +
        "WHERE `uuid` = ? AND `project_id` = ? AND (`status` = 'available' OR (`shareable` = 1 AND `status` = 'in-use'))",
      [this.volumes.encode('updated_at', now), id, projectId],
    );
    const [row] = yield* select(`${this.selectVolumes} WHERE \`uuid\` = ? AND \`project_id\` = ?`, [id, projectId]);
    if (!row) throw volumeNotFound(uuid);
    const volume = this.volumes.decode(row);
    if (res.affected === 0) {
      if (volume.status === 'in-use') throw new VolumeInUse(`Volume ${volume.uuid} is in use by another container.`);
      throw new VolumeInUse(`Volume ${volume.uuid} is ${volume.status} and cannot be mounted.`);
    }
    return volume;
  }

  /**
   * Transaction body: writes a new container's mounts after its row: new volumes (in-use, auto_remove unless
   * said otherwise), reservations of existing ones, then one mapping per mount in the plan's order.
   */
  *planMountsTx(owner: MountOwner, plan: MountPlan, now: Date): TxBody<void> {
    for (const m of plan.mounts) {
      let volume: Volume | null = null;
      if (m.kind === 'new') {
        const row = this.volumeRow({ auto_remove: true, user_id: owner.user_id, ...m.volume, project_id: owner.project_id, status: 'in-use' }, now);
        volume = yield* this.insertVolumeTx(row);
      } else if (m.kind === 'existing') {
        volume = yield* this.reserveTx(owner.project_id, m.volume_uuid, now);
      }
      const mapping: Omit<VolumeMapping, 'id'> = {
        uuid: m.mapping_uuid,
        project_id: owner.project_id,
        user_id: owner.user_id,
        volume_provider: 'local',
        volume_id: volume?.id ?? null,
        cinder_volume_id: null,
        container_path: m.container_path,
        container_uuid: owner.uuid,
        connection_info: null,
        host: null,
        auto_remove: volume ? volume.auto_remove : true,
        contents: m.kind === 'file' ? m.contents : null,
        created_at: now,
        updated_at: null,
      };
      const insert = insertOf(this.mappings, mapping);
      try {
        yield* exec(insert.sql, insert.params);
      } catch (e) {
        if (isUniqueViolation(e)) throw new Conflict(`A volume mapping with UUID ${m.mapping_uuid} already exists.`);
        throw e;
      }
    }
  }

  /**
   * Transaction body: deletes the container's mappings and updates the volumes they named (none left:
   * `deleting` when auto_remove, else `available`). The volume rows are locked first, so two containers
   * releasing a shared volume at once see each other's deletes.
   */
  *releaseMountsTx(containerUuid: string, now: Date): TxBody<ReleasedVolume[]> {
    const vt = this.volumes.quotedTable;
    const mt = this.mappings.quotedTable;
    yield* select(
      `SELECT \`id\` FROM ${vt} WHERE \`id\` IN (SELECT \`volume_id\` FROM ${mt} WHERE \`container_uuid\` = ?) ORDER BY \`id\`${this.forUpdate}`,
      [containerUuid],
    );
    const mine = yield* select<{ volume_id: unknown }>(`SELECT \`volume_id\` FROM ${mt} WHERE \`container_uuid\` = ? ORDER BY \`id\``, [containerUuid]);
    if (mine.length === 0) return [];
    yield* exec(`DELETE FROM ${mt} WHERE \`container_uuid\` = ?`, [containerUuid]);
    const order = [...new Set(mine.filter((r) => r.volume_id !== null).map((r) => Number(r.volume_id)))];
    const out: ReleasedVolume[] = [];
    const stamp: SqlValue = this.volumes.encode('updated_at', now);
    for (const id of order) {
      const [count] = yield* select<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${mt} WHERE \`volume_id\` = ?`, [id]);
      const remaining = Number(count?.n ?? 0);
      if (remaining === 0) {
        yield* exec(
          `UPDATE ${vt} SET \`status\` = CASE WHEN \`auto_remove\` = 1 THEN 'deleting' ELSE 'available' END, \`updated_at\` = ? ` +
            "WHERE `id` = ? AND `status` = 'in-use'",
          [stamp, id],
        );
      }
      const [row] = yield* select(`${this.selectVolumes} WHERE \`id\` = ?`, [id]);
      if (row) out.push({ volume: this.volumes.decode(row), remaining });
    }
    return out;
  }
}
