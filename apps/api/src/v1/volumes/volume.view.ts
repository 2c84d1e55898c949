import { type VolumeAttachment } from '@zun-ts/db';
import { type Volume } from '@zun-ts/objects';
import { formatDateTime } from '../../http/date-format';
import { selfAndBookmark } from '../../http/links';

/**
 * The volume view, fields in this order. `host` only for callers allowed `volume:get_one:host` (as a
 * container's host); `attachments` says where the volume is mounted.
 */
export function volumeView(v: Volume, attachments: readonly VolumeAttachment[], showHost: boolean, hostUrl: string): Record<string, unknown> {
  return {
    uuid: v.uuid,
    links: selfAndBookmark(hostUrl, 'volumes', v.uuid),
    name: v.name,
    size: v.size,
    status: v.status,
    status_reason: v.status_reason,
    shareable: v.shareable,
    auto_remove: v.auto_remove,
    volume_provider: v.volume_provider,
    project_id: v.project_id,
    user_id: v.user_id,
    ...(showHost ? { host: v.host } : {}),
    attachments: attachments.map((a) => ({ container_uuid: a.container_uuid, destination: a.container_path })),
    created_at: formatDateTime(v.created_at),
    updated_at: formatDateTime(v.updated_at),
  };
}
