import { ImageNotFound, type Logger } from '@zun-ts/common';
import { type ImagePatch, type ImageRepository } from '@zun-ts/db';
import { type Image } from '@zun-ts/objects';
import { type ImagePulledRequest, type RpcCaller } from '@zun-ts/rpc';
import { HostOwnership } from './host-ownership';

/** The repository calls image records make (tests pass fakes). */
export type ImageRecordsRepository = Pick<ImageRepository, 'getByUuid' | 'update' | 'destroy'>;

/**
 * The `/v1/images` rows as the conductor keeps them for compute hosts, which hold no database credentials. A host
 * writes only the rows whose `host` is its own; any other row is answered as an absent one (ImageNotFound for the
 * pull's record, success for a destroy, as for a row already gone) and the refusal is logged (HostOwnership).
 *
 * Both methods are safe under redelivery: a second `pulled` writes the same values again, a second `destroy`
 * finds no row.
 */
export class ImageRecords {
  private readonly ownership: HostOwnership;

  constructor(
    private readonly images: ImageRecordsRepository,
    logger: Logger,
  ) {
    this.ownership = new HostOwnership(logger);
  }

  /** imagePulled: records the engine's image id and size (and its name for the image) on a row of the caller's host. */
  async pulled(args: ImagePulledRequest, caller: RpcCaller): Promise<Image> {
    const method = 'imagePulled';
    this.ownership.requireCompute(caller, method);
    const image = await this.images.getByUuid(args.image_uuid);
    if (image.host !== caller.host) throw this.ownership.refuseImage(caller, image.uuid, image.host, method);
    const patch: ImagePatch = { image_id: args.image_id, size: args.size };
    if (args.repo !== undefined) patch.repo = args.repo;
    if (args.tag !== undefined) patch.tag = args.tag;
    return this.images.update(image.uuid, patch);
  }

  /** imageDestroy: removes a row of the caller's host; a row already gone is success. */
  async destroy(args: { image_uuid: string }, caller: RpcCaller): Promise<void> {
    const method = 'imageDestroy';
    this.ownership.requireCompute(caller, method);
    let image: Image;
    try {
      image = await this.images.getByUuid(args.image_uuid);
    } catch (e) {
      if (e instanceof ImageNotFound) return;
      throw e;
    }
    if (image.host !== caller.host) throw this.ownership.refuseImage(caller, image.uuid, image.host, method);
    await this.images.destroy(image.uuid);
  }
}
