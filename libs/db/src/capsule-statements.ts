import { Conflict } from '@zun-ts/common';
import { type Container, CONTAINER_TYPES, type Volume, type VolumeMapping } from '@zun-ts/objects';
import { ContainerAlreadyExists } from './db-errors';
import { type NewContainer, type SqlContainerRepository } from './container.repository';
import { type NetworkSql } from './network-statements';
import { type PortPlan } from './network.types';
import { exec, insertOf, type TxBody } from './sql-engine';
import { type VolumeSql } from './volume-statements';
import { type NewVolume } from './volume.types';
import { isUniqueViolation } from './zun-service.repository';

/** A volume of a capsule's template: made for the capsule (`new`, removed with it unless told otherwise) or the project's own. */
export type CapsuleVolumeRow =
  | { name: string; kind: 'new'; volume: NewVolume }
  | { name: string; kind: 'existing'; volume_uuid: string };

/** One mount of a capsule member: the template volume by name, where it goes. */
export interface CapsuleMountRow {
  member_uuid: string;
  mapping_uuid: string;
  volume: string;
  container_path: string;
}

/** Everything `POST /v1/capsules` writes, in one transaction under the project's quota. */
export interface NewCapsule {
  /** The capsule row (its container_type is set to capsule). */
  capsule: NewContainer & { project_id: string };
  /** Init containers then containers (container_type 3 or 2); capsule_id is filled in. */
  members: (NewContainer & { init: boolean })[];
  volumes: CapsuleVolumeRow[];
  mounts: CapsuleMountRow[];
  /** The capsule's ports (its sandbox's): one address shared by every member. */
  ports: PortPlan;
}

/** The rows a capsule create wrote. */
export interface CreatedCapsule {
  capsule: Container;
  members: Container[];
}

/**
 * Transaction body of a capsule create: the capsule row, its members (same project, `capsule_id` = the capsule's
 * row id), the template's volumes (new ones `in-use` and auto-removed with the capsule unless the template says
 * otherwise; existing ones reserved once for the capsule by the reservation rule), one mapping per member mount,
 * and the capsule's ports.
 */
export function* createCapsuleTx(
  rows: NewCapsule,
  deps: { containers: SqlContainerRepository; volumes: VolumeSql; networks: NetworkSql },
): TxBody<CreatedCapsule> {
  const insertRow = function* (c: NewContainer): TxBody<Container> {
    const insert = deps.containers.insertStatement(c);
    try {
      const res = yield* exec(insert.sql, insert.params);
      return { id: res.insertId, ...insert.row };
    } catch (e) {
      if (isUniqueViolation(e)) throw new ContainerAlreadyExists(c.uuid);
      throw e;
    }
  };
  const capsule = yield* insertRow({ ...rows.capsule, container_type: CONTAINER_TYPES.capsule });
  const members: Container[] = [];
  for (const { init, ...m } of rows.members) {
    const type = init ? CONTAINER_TYPES.capsuleInitContainer : CONTAINER_TYPES.capsuleContainer;
    members.push(yield* insertRow({ ...m, container_type: type, capsule_id: capsule.id, project_id: capsule.project_id, user_id: capsule.user_id }));
  }
  const projectId = rows.capsule.project_id;
  const now = capsule.created_at;
  const byName = new Map<string, Volume>();
  for (const v of rows.volumes) {
    if (v.kind === 'new') {
      const row = deps.volumes.volumeRow({ auto_remove: true, user_id: capsule.user_id, ...v.volume, project_id: projectId, status: 'in-use' }, now);
      byName.set(v.name, yield* deps.volumes.insertVolumeTx(row));
    } else {
      byName.set(v.name, yield* deps.volumes.reserveTx(projectId, v.volume_uuid, now));
    }
  }
  for (const m of rows.mounts) {
    const volume = byName.get(m.volume);
    if (!volume) throw new Conflict(`Volume ${m.volume} of the capsule is not declared.`);
    const mapping: Omit<VolumeMapping, 'id'> = {
      uuid: m.mapping_uuid,
      project_id: projectId,
      user_id: capsule.user_id,
      volume_provider: 'local',
      volume_id: volume.id,
      cinder_volume_id: null,
      container_path: m.container_path,
      container_uuid: m.member_uuid,
      connection_info: null,
      host: null,
      auto_remove: volume.auto_remove,
      contents: null,
      created_at: now,
      updated_at: null,
    };
    const insert = insertOf(deps.volumes.mappings, mapping);
    yield* exec(insert.sql, insert.params);
  }
  if (rows.ports.ports.length) yield* deps.networks.planPortsTx({ uuid: capsule.uuid, project_id: projectId }, rows.ports, now);
  return { capsule, members };
}
