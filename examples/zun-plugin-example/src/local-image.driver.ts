import type { ContainerDriver, ImageDriver, ImageDriverFactory, PulledImage } from '@zun-ts/plugin-api';

/**
 * `local`: an image driver for hosts that must not pull. A container's image is used only when the host's engine
 * already has it under exactly the name given (no registry is put in front, nothing is pulled, whatever the pull
 * policy), and the container is created from that image's id, so a later re-tag does not change what it runs.
 * Anything else fails the container with a message saying so.
 */
export function localImageDriver(engine: ContainerDriver): ImageDriver {
  return {
    name: 'local',
    async pull(ctx, c): Promise<PulledImage> {
      const image = c.image ?? '';
      // The container driver reports an absent image as an error named ImageNotFound; any other (an engine that
      // cannot be reached) goes up as it is.
      const info = await engine.imageInspect(ctx, image).catch((err: unknown) => {
        if (err instanceof Error && err.name === 'ImageNotFound') return null;
        throw err;
      });
      if (!info) throw new Error(`Image ${image} is not on host ${c.host ?? '?'} (the local image driver never pulls).`);
      return { ref: info.id, driver: 'local' };
    },
  };
}

/** Made once when zun-compute starts, with that host's container driver. */
export const localImage: ImageDriverFactory = (context) => localImageDriver(context.containerDriver);
