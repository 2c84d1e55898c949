/** An image as Glance's v2 API describes it (the fields zun-ts reads; custom properties stay as extra keys). */
export interface GlanceImage {
  id: string;
  name: string | null;
  /** `queued`, `saving`, `active`, `killed`, `deleted`, `pending_delete`, `deactivated`, `uploading`, `importing`. */
  status: string;
  /** `public`, `community`, `shared` or `private`. */
  visibility: string;
  /** Project id that owns the image. */
  owner: string | null;
  container_format: string | null;
  disk_format: string | null;
  /** Bytes; null until data is uploaded. */
  size: number | null;
  /** MD5 of the data; null until uploaded (and on images made without it). */
  checksum: string | null;
  /** `sha512` normally. */
  os_hash_algo?: string | null;
  os_hash_value?: string | null;
  tags: string[];
  created_at?: string;
  updated_at?: string;
  [property: string]: unknown;
}

/** What {@link GlanceClient.createImage} sends; Zun stores Docker images as `docker` / `raw`. */
export interface CreateImageRequest {
  /** A UUID of the caller's choosing; Glance makes one when absent. */
  id?: string;
  name: string;
  /** @default 'docker' */
  container_format?: string;
  /** @default 'raw' */
  disk_format?: string;
  /** Only an admin may name another project than its own. */
  owner?: string;
  tags?: string[];
  /** @default Glance's (`shared`) */
  visibility?: 'public' | 'community' | 'shared' | 'private';
}

/** Filters of {@link GlanceClient.listImages} (Glance's query parameters). */
export interface ListImagesFilter {
  /** Exact name. */
  name?: string;
  owner?: string;
  status?: string;
  /** `all` (the default here): every image the token may see, community ones included. */
  visibility?: 'all' | 'public' | 'community' | 'shared' | 'private';
  /** Stop after this many images. @default 1000 */
  max?: number;
}

/** Whether `project` may use `image`: its own and public or community ones yes; shared ones if it is a member. */
export function visibilityFor(image: Pick<GlanceImage, 'owner' | 'visibility'>, project: string | null): 'visible' | 'if-member' | 'hidden' {
  if (project !== null && image.owner === project) return 'visible';
  if (image.visibility === 'public' || image.visibility === 'community') return 'visible';
  if (image.visibility === 'shared' && project !== null) return 'if-member';
  return 'hidden';
}

/** The digest that identifies an image's data: the MD5 `checksum`, else the `os_hash_value`; null before upload. */
export function dataDigest(image: Pick<GlanceImage, 'checksum' | 'os_hash_value'>): string | null {
  return image.checksum ?? image.os_hash_value ?? null;
}
