import { type Container, CONTAINER_TYPES } from '@zun-ts/objects';
import { ApiVersion } from '../../http/api-version';
import { selfAndBookmark } from '../../http/links';
import { containerView, formatPyDateTime } from '../containers/container.view';

/** From 1.32 the capsule view lists its containers; before, the legacy view with `meta_*` names. */
export const V1_32 = new ApiVersion(1, 32);

/** What a capsule view is made of: the capsule row and its members, init containers first. */
export interface CapsuleWithMembers {
  capsule: Container;
  members: readonly Container[];
}

/** Options of {@link capsuleView}. */
export interface CapsuleViewOptions {
  version: ApiVersion;
  /** Fields of the member container views the caller may not see (the container rules). */
  hiddenMemberFields: ReadonlySet<string>;
  /** Policy `capsule:get:host`. */
  showHost: boolean;
  /** Adds the self/bookmark links (show, create; Zun's list has none). */
  hostUrl?: string;
}

/**
 * Zun's capsule view. From 1.32: uuid, links, user_id, project_id, created_at, updated_at, addresses, status,
 * status_reason, restart_policy (object), name, labels, annotations, memory, cpu, init_containers and containers (container
 * views without links), host (admins). Up to 1.31 the legacy shape: `meta_name`, `meta_labels`, the bare restart policy
 * name, and the empty `volumes_info`, `containers_uuids`, `init_containers_uuids`, `capsule_version` of Zun's old object.
 */
export function capsuleView({ capsule: c, members }: CapsuleWithMembers, opts: CapsuleViewOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { uuid: c.uuid };
  if (opts.hostUrl) out['links'] = selfAndBookmark(opts.hostUrl, 'capsules', c.uuid);
  out['user_id'] = c.user_id;
  out['project_id'] = c.project_id;
  out['created_at'] = formatPyDateTime(c.created_at);
  out['updated_at'] = formatPyDateTime(c.updated_at);
  out['addresses'] = c.addresses ?? {};
  out['status'] = c.status;
  out['status_reason'] = c.status_reason;
  const legacy = opts.version.lt(V1_32);
  out['restart_policy'] = legacy ? (c.restart_policy?.Name ?? null) : c.restart_policy;
  out[legacy ? 'meta_name' : 'name'] = c.name;
  out[legacy ? 'meta_labels' : 'labels'] = c.labels ?? {};
  out['annotations'] = c.annotations ?? {};
  out['memory'] = c.memory;
  out['cpu'] = c.cpu;
  const inits = members.filter((m) => m.container_type === CONTAINER_TYPES.capsuleInitContainer);
  const containers = members.filter((m) => m.container_type === CONTAINER_TYPES.capsuleContainer);
  if (legacy) {
    out['volumes_info'] = {};
    out['containers_uuids'] = [];
    out['init_containers_uuids'] = [];
    out['capsule_version'] = '';
  } else {
    out['init_containers'] = inits.map((m) => containerView(m, opts.hiddenMemberFields));
    out['containers'] = containers.map((m) => containerView(m, opts.hiddenMemberFields));
  }
  if (opts.showHost) out['host'] = c.host;
  return out;
}
