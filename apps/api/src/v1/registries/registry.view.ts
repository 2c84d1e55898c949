import { type Registry } from '@zun-ts/objects';
import { selfAndBookmark } from '../../http/links';

/** What every view shows instead of the password. */
export const MASKED_PASSWORD = '***';

/** The registry view, fields in Zun's order; the password is never shown, not even sealed. */
export function registryView(r: Registry, hostUrl: string): Record<string, unknown> {
  return {
    uuid: r.uuid,
    links: selfAndBookmark(hostUrl, 'registries', r.uuid),
    user_id: r.user_id,
    project_id: r.project_id,
    name: r.name,
    domain: r.domain,
    username: r.username,
    password: MASKED_PASSWORD,
  };
}
