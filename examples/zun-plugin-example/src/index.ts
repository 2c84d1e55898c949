import type { ZunPlugin } from '@zun-ts/plugin-api';
import { containerCountWeigher } from './container-count.weigher';
import { localImage } from './local-image.driver';
import { responseHeader } from './response-header.middleware';

/**
 * The plug-in: zun.conf selects its weigher in `[scheduler] enabled_weighers` and its image driver in `[DEFAULT]
 * image_driver_list` (a container then names it in `image_driver`), api-paste.ini its middleware
 * (`use = response_header`, or `paste.filter_factory = zun-plugin-example:response_header`).
 */
export const zunPlugin: ZunPlugin = {
  name: 'zun-plugin-example',
  apiVersion: '1.1.0',
  weighers: { ContainerCountWeigher: containerCountWeigher },
  middleware: { response_header: responseHeader },
  drivers: { image: { local: localImage } },
};
