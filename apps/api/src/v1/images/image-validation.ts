import { inject, injectable } from 'inversify';
import { type Logger, type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { CONF, LOGGER } from '../../api.tokens';
import { API_IMAGE_DRIVERS, type ApiImageDriver, type RegistryAccess } from './api-image-driver';
import { ImageNotFound } from './image.errors';

/**
 * Image validation on container create (`[api] enable_image_validation`, on by default as in Zun): the image driver
 * of the container is asked whether the image exists where the host would get it, and an absent one refuses the
 * create at once (400 "Image X could not be found.") instead of an Error container later. When the driver cannot
 * tell (registry unreachable, Docker Hub) or is not enabled here, the create goes on and the host reports.
 */
@injectable()
export class ImageValidation {
  constructor(
    @inject(CONF) private readonly conf: Pick<ZunConf, 'api'>,
    @inject(API_IMAGE_DRIVERS) private readonly drivers: ApiImageDriver[],
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Throws ImageNotFound (400) when the `imageDriver` driver knows `image` is absent. `registry` is the container's
   * 1.31 registry with its password opened (null: none, the default registry applies).
   */
  async validate(ctx: RequestContext, image: string, imageDriver: string, registry: RegistryAccess | null = null): Promise<void> {
    if (!this.conf.api.enable_image_validation) return;
    const driver = this.drivers.find((d) => d.name === imageDriver);
    if (!driver) {
      this.logger.info('image not validated: its image driver is not enabled in the API', { requestId: ctx.requestId, imageDriver, image });
      return;
    }
    if ((await driver.presence(ctx, image, registry)) === 'absent') throw ImageNotFound.of(image);
  }
}
