import { type Network } from '@zun-ts/objects';
import { formatDateTime } from '../../http/date-format';
import { selfAndBookmark } from '../../http/links';

/**
 * The network view, fields in this order. `segmentation_id` (the VXLAN VNI) only for callers allowed
 * `network:get_one:segmentation_id` (admin by default); the mechanism (`driver`) and the row id stay inside.
 */
export function networkView(n: Network, showSegmentation: boolean, hostUrl: string): Record<string, unknown> {
  return {
    uuid: n.uuid,
    links: selfAndBookmark(hostUrl, 'networks', n.uuid),
    name: n.name,
    cidr: n.cidr,
    gateway: n.gateway,
    subnet_id: n.subnet_id,
    shared: n.shared,
    nat_egress: n.nat_egress,
    is_default: n.is_default,
    project_id: n.project_id,
    user_id: n.user_id,
    ...(showSegmentation ? { segmentation_id: n.segmentation_id } : {}),
    created_at: formatDateTime(n.created_at),
    updated_at: formatDateTime(n.updated_at),
  };
}
