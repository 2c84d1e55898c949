import { type Image } from '@zun-ts/objects';
import { selfAndBookmark } from '../../http/links';

/** Zun's image view, fields in this order (`image_pull_policy` is a view key Zun never stores, so never shown). */
export function imageView(i: Image, hostUrl: string): Record<string, unknown> {
  return {
    uuid: i.uuid,
    links: selfAndBookmark(hostUrl, 'images', i.uuid),
    image_id: i.image_id,
    repo: i.repo,
    tag: i.tag,
    size: i.size,
    project_id: i.project_id,
    host: i.host,
  };
}
