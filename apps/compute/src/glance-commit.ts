import { ImageNotFound, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerDriver } from '@zun-ts/compute-driver';
import { type GlanceClient } from '@zun-ts/glance-client';
import { type ContainerCommitRequest } from '@zun-ts/rpc';
import { type ContainerRecords, errorText } from './conductor-api';
import { EVENTS } from './container-builder';
import { type ContainerOperations } from './container-operations';

/** What a commit to Glance asks of Glance. */
export type GlanceWriter = Pick<GlanceClient, 'findImage' | 'uploadImage' | 'deleteImage'>;

/**
 * `zun commit` to Glance, on the host of the container: the API made a queued Glance image (with the caller's
 * token); here the container is committed (paused meanwhile, as Zun does), the call answers, and the new image's
 * `docker save` archive streams into the Glance image in the background. The commit action's event ends when the
 * upload does: Error with the reason, and the Glance image deleted, when it fails.
 */
export class GlanceCommit {
  private readonly uploads = new Set<Promise<void>>();

  constructor(
    private readonly driver: ContainerDriver,
    private readonly records: ContainerRecords,
    private readonly ops: Pick<ContainerOperations, 'locked'>,
    private readonly glance: (ctx: RequestContext) => GlanceWriter,
    private readonly logger: Logger,
  ) {}

  /**
   * A second delivery finds the Glance image no longer queued (the first one's upload is under way or done) and only
   * answers the engine image id again; the upload is never started twice.
   */
  commit(ctx: RequestContext, args: ContainerCommitRequest & { glance_image_id: string }): Promise<{ image_id: string }> {
    const id = args.glance_image_id;
    return this.ops.locked(ctx, args.container_uuid, async (c) => {
      const log = this.logger.child({ requestId: ctx.requestId, containerUuid: c.uuid, glanceId: id });
      const glance = this.glance(ctx);
      const target = await glance.findImage(id);
      if (!target) throw new ImageNotFound(`Image ${id} could not be found.`);
      if (target.status !== 'queued') {
        log.info('commit delivered again; its upload was started already', { status: target.status });
        const tag = args.tag && args.tag !== 'None' ? args.tag : 'latest';
        return { image_id: (await this.driver.imageInspect(ctx, `${args.repository}:${tag}`)).id };
      }
      await this.records.eventStart(ctx, c.uuid, EVENTS.commit);
      let made: { image_id: string; ref: string };
      try {
        made = await this.driver.commit(ctx, c.uuid, { repository: args.repository, tag: args.tag });
      } catch (err) {
        await this.failed(ctx, c.uuid, glance, id, err, log);
        throw err;
      }
      const upload = this.upload(ctx, c.uuid, made.ref, glance, id, log);
      this.uploads.add(upload);
      void upload.finally(() => this.uploads.delete(upload));
      return { image_id: made.image_id };
    });
  }

  /** Resolves once every upload in flight has ended (graceful stop, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.uploads]);
  }

  private async upload(ctx: RequestContext, uuid: string, ref: string, glance: GlanceWriter, id: string, log: Logger): Promise<void> {
    const started = Date.now();
    try {
      const archive = await this.driver.saveImage(ctx, ref);
      await glance.uploadImage(id, archive);
      log.info('commit uploaded to glance', { ref, ms: Date.now() - started });
      await this.records.eventFinish(ctx, uuid, EVENTS.commit);
      await this.records.actionFinish(ctx, uuid);
    } catch (err) {
      await this.failed(ctx, uuid, glance, id, err, log);
    }
  }

  /** The half-made Glance image goes; the event says why. */
  private async failed(ctx: RequestContext, uuid: string, glance: GlanceWriter, id: string, err: unknown, log: Logger): Promise<void> {
    log.warn('commit to glance failed', { reason: errorText(err) });
    await glance.deleteImage(id).catch((e: unknown) => log.warn('glance image of a failed commit not deleted', { error: errorText(e) }));
    await this.records.eventFinish(ctx, uuid, EVENTS.commit, err);
    await this.records.actionFinish(ctx, uuid);
  }
}
