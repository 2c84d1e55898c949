import { ImageNotFound, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerDriver } from '@zun-ts/compute-driver';
import { type Image } from '@zun-ts/objects';
import { type ConductorApi } from './conductor-api';

/** The engine reference of an image row: `repo:tag` (tag `latest` when the row has none). */
export function imageRowRef(image: Pick<Image, 'repo' | 'tag'>): string {
  return `${image.repo}:${image.tag ?? 'latest'}`;
}

/** Why a call failed, for the log: the message only (engine errors never carry credentials, stacks stay out). */
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The `/v1/images` work of a compute host: pull an image row's image and record it through the conductor, or
 * remove it from the engine and then its row. Both are safe under redelivery: a second pull finds the image (or
 * pulls it again, per the policy) and writes the same values, a removal of an image already gone is success, and
 * the conductor's destroy of a row already gone is success.
 */
export class ImageOperations {
  constructor(
    private readonly driver: Pick<ContainerDriver, 'pullImage' | 'removeImage'>,
    private readonly conductor: ConductorApi,
    private readonly logger: Logger,
  ) {}

  /**
   * imagePull: pulls `repo:tag` under `policy` (null: Zun's default for the tag), then records image_id and size
   * (bytes, as a string) with the repository and tag the engine resolved. A failed pull removes the row and logs
   * why; a row deleted meanwhile is left alone.
   */
  async pull(ctx: RequestContext, image: Image, policy: string | null): Promise<void> {
    const log = { requestId: ctx.requestId, imageUuid: image.uuid, image: imageRowRef(image) };
    let pulled;
    try {
      pulled = await this.driver.pullImage(ctx, { image: imageRowRef(image), image_pull_policy: policy });
    } catch (err) {
      this.logger.warn('image pull failed; removing its image row', { ...log, reason: reason(err) });
      await this.conductor.call('imageDestroy', ctx, { image_uuid: image.uuid });
      return;
    }
    try {
      await this.conductor.call('imagePulled', ctx, {
        image_uuid: image.uuid,
        image_id: pulled.image_id,
        size: String(pulled.size),
        repo: pulled.repo,
        tag: pulled.tag,
      });
      this.logger.info('image pulled', { ...log, imageId: pulled.image_id, size: pulled.size, pulled: pulled.pulled });
    } catch (err) {
      // Deleted while it was pulling: nothing to record.
      if (err instanceof ImageNotFound) {
        this.logger.info('image row gone before its pull was recorded', log);
        return;
      }
      throw err;
    }
  }

  /**
   * imageDelete: removes `repo:tag` from the engine when the pull had finished (image_id known), then the row. An
   * engine refusal (the image is in use) keeps the row and is logged, as Zun does.
   */
  async delete(ctx: RequestContext, image: Image): Promise<void> {
    const log = { requestId: ctx.requestId, imageUuid: image.uuid, image: imageRowRef(image) };
    if (image.image_id) {
      try {
        // By name, not id: the id may carry other names on this host that are not this row's to remove.
        await this.driver.removeImage(ctx, imageRowRef(image));
      } catch (err) {
        this.logger.warn('image delete failed; its image row stays', { ...log, reason: reason(err) });
        return;
      }
    }
    await this.conductor.call('imageDestroy', ctx, { image_uuid: image.uuid });
    this.logger.info('image deleted', log);
  }
}
