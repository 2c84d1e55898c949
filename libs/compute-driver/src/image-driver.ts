import { type RequestContext } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { type RegistryCredentials } from './container-driver';

/** An image made ready on this host for a container. */
export interface PulledImage {
  /** What to create the container from (an image reference the container driver's engine knows). */
  ref: string;
  /** The image driver that served it (Zun records it in the container's `image_driver`). */
  driver: string;
}

/**
 * Zun's image drivers on a compute host (`[DEFAULT] image_driver_list`): each gets a container's image onto the
 * engine, per the container's pull policy. Built in: `docker` (a registry) and `glance` (the image service); a
 * plug-in may add others. A container names one in its `image_driver` (none: `[DEFAULT] default_image_driver`).
 */
export interface ImageDriver {
  /** The name `image_driver_list` and a container's `image_driver` select it by. */
  readonly name: string;
  /**
   * Makes the image of `c` (`c.image`, `c.image_pull_policy`) ready on the engine. `registry`: the container's
   * 1.31 registry with its password opened (null: none; the built-in `docker` driver uses it). Throws
   * ImageNotFound (of @zun-ts/common) when there is no such image; the container then goes to Error with the message.
   */
  pull(ctx: RequestContext, c: Container, registry?: RegistryCredentials | null): Promise<PulledImage>;
}
