import { type ServiceIdentifier } from 'inversify';
import { isRetryable, type RequestContext } from '@zun-ts/common';
import { type GlanceAccess, type GlanceClient, type GlanceImage } from '@zun-ts/glance-client';
import { type ApiImageDriver, type ImagePresence, type ImageSearchResult } from './api-image-driver';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Glance as the API uses it: with the caller's token (so Glance itself decides what the caller may see and owns),
 * or, without one (`auth_strategy = noauth`), as the service user on the caller's project's behalf.
 */
export class GlanceImages {
  constructor(private readonly access: GlanceAccess) {}

  /** A client acting for the caller. */
  client(ctx: RequestContext): GlanceClient {
    return ctx.authToken ? this.access.userClient(ctx.authToken, ctx.requestId) : this.access.serviceClient(ctx.requestId);
  }

  /**
   * The queued image `zun commit` uploads to: named after the repository, the tag in its tags, Docker's container
   * format (`docker save` archive, disk format raw), owned by the caller's project.
   */
  createCommitImage(ctx: RequestContext, repository: string, tag: string | null): Promise<GlanceImage> {
    return this.client(ctx).createImage({
      name: repository,
      container_format: 'docker',
      disk_format: 'raw',
      tags: [tag && tag !== 'None' ? tag : 'latest'],
      // with the caller's token Glance makes the caller's project the owner itself
      ...(ctx.authToken || !ctx.projectId ? {} : { owner: ctx.projectId }),
    });
  }

  /** Removes an image made for a commit that could not go on (best effort: it is the caller's own). */
  async deleteImage(ctx: RequestContext, id: string): Promise<void> {
    await this.client(ctx).deleteImage(id);
  }
}

/** Injection token of the API's {@link GlanceImages}; bound only when `glance` is in `image_driver_list`. */
export const GLANCE_IMAGES: ServiceIdentifier<GlanceImages> = Symbol.for('zun.GlanceImages');

/** The `glance` image driver of the API: validation of a create's image, and `zun image-search --image-driver glance`. */
export class GlanceApiImageDriver implements ApiImageDriver {
  readonly name = 'glance';

  constructor(private readonly images: GlanceImages) {}

  /** By id, else by exact name, among the images the caller sees; Glance unreachable: unknown. */
  async presence(ctx: RequestContext, image: string): Promise<ImagePresence> {
    const glance = this.images.client(ctx);
    try {
      if (UUID.test(image) && (await glance.findImage(image))) return 'present';
      return (await glance.findImagesByName(image)).length > 0 ? 'present' : 'absent';
    } catch (err) {
      if (isRetryable(err)) return 'unknown';
      throw err;
    }
  }

  /** Images whose name starts with `term` (equals it, with `exact`), as the CLI's columns want them. */
  async search(ctx: RequestContext, term: string, exact: boolean): Promise<ImageSearchResult[]> {
    const glance = this.images.client(ctx);
    const found = exact ? await glance.findImagesByName(term) : (await glance.listImages()).filter((i) => (i.name ?? '').startsWith(term));
    return found.map(toSearchResult);
  }
}

/** One search result from a Glance image. */
export function toSearchResult(i: GlanceImage): ImageSearchResult {
  return {
    id: i.id,
    name: i.name ?? '',
    tags: i.tags,
    status: i.status,
    size: i.size,
    metadata: {
      container_format: i.container_format,
      disk_format: i.disk_format,
      visibility: i.visibility,
      owner: i.owner,
      checksum: i.checksum,
      created_at: i.created_at ?? null,
    },
  };
}
