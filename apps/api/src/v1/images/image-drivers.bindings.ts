import { type Container } from 'inversify';
import { type ZunConf } from '@zun-ts/config';
import { GlanceAccess } from '@zun-ts/glance-client';
import { API_IMAGE_DRIVERS, type ApiImageDriver } from './api-image-driver';
import { GLANCE_IMAGES, GlanceApiImageDriver, GlanceImages } from './glance-images';

/**
 * Binds the API's image drivers: API_IMAGE_DRIVERS holds one driver per name of `[DEFAULT] image_driver_list` that
 * has an API side here. With `glance` listed, GLANCE_IMAGES is bound too (`zun commit` uploads to Glance).
 */
export function bindApiImageDrivers(c: Container, conf: ZunConf, extra: ApiImageDriver[] = []): void {
  const drivers: ApiImageDriver[] = [...extra];
  if (conf.DEFAULT.image_driver_list.includes('glance')) {
    const glance = new GlanceImages(new GlanceAccess(conf));
    c.bind(GLANCE_IMAGES).toConstantValue(glance);
    drivers.push(new GlanceApiImageDriver(glance));
  }
  c.bind(API_IMAGE_DRIVERS).toConstantValue(drivers.filter((d) => conf.DEFAULT.image_driver_list.includes(d.name)));
}
