import { ImageNotFound, InvalidValue, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerDriver, effectivePullPolicy, type ImageDriver, type PulledImage, type RegistryCredentials } from '@zun-ts/compute-driver';
import { dataDigest, type GlanceClient, type GlanceImage, visibilityFor } from '@zun-ts/glance-client';
import { type Container } from '@zun-ts/objects';

/** What the glance image driver asks of Glance. */
export type GlanceReader = Pick<GlanceClient, 'findImage' | 'findImagesByName' | 'memberStatus' | 'downloadImage'>;

/** `docker`: the image comes from a registry (the container driver resolves the name and pulls). */
export class DockerImageDriver implements ImageDriver {
  readonly name = 'docker';

  constructor(private readonly driver: ContainerDriver) {}

  pull(ctx: RequestContext, c: Container, registry: RegistryCredentials | null = null): Promise<PulledImage> {
    return this.driver.pullImage(ctx, { image: c.image ?? '', image_pull_policy: c.image_pull_policy, ...(registry ? { registry } : {}) });
  }
}

/** Engine repository under which an image loaded from Glance is kept: `glance/<image id>`, tagged with its data digest. */
export function glanceRepo(imageId: string): string {
  return `glance/${imageId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `glance`: the image is a Glance image (by id or name) holding the tar `docker save` makes. It is streamed from
 * Glance into the engine's image load and tagged `glance/<id>:<checksum>`, so a later create finds it again without
 * downloading (Glance image data never changes once active). The compute acts with a service token, which sees
 * every project's images: it lets a container use only what its project may see (its own images, public and
 * community ones, shared ones it is a member of).
 */
export class GlanceImageDriver implements ImageDriver {
  readonly name = 'glance';

  constructor(
    private readonly driver: ContainerDriver,
    private readonly glance: (ctx: RequestContext) => GlanceReader,
    private readonly logger: Logger,
  ) {}

  async pull(ctx: RequestContext, c: Container): Promise<PulledImage> {
    const ident = c.image ?? '';
    const glance = this.glance(ctx);
    const image = await findVisibleImage(glance, ident, c.project_id);
    if (image.status !== 'active') throw new ImageNotFound(`Image ${ident} is not active in Glance (status ${image.status}).`);
    if (image.container_format !== null && image.container_format !== 'docker') {
      throw new InvalidValue(`Image ${ident} is not a Docker image (container format ${image.container_format}).`);
    }
    const digest = dataDigest(image);
    if (!digest) throw new ImageNotFound(`Image ${ident} has no data in Glance.`);
    const repo = glanceRepo(image.id);
    const tag = digest.slice(0, 128);
    const ref = `${repo}:${tag}`;
    const policy = effectivePullPolicy(c.image_pull_policy, null);
    if (await this.present(ctx, ref)) return { ref, driver: 'glance' };
    if (policy === 'never') throw new ImageNotFound(`Image ${ident} not present with pull policy of Never`);
    const started = Date.now();
    const data = await glance.downloadImage(image.id);
    const loaded = await this.driver.loadImage(ctx, data);
    await this.driver.tagImage(ctx, loaded.image_id, repo, tag);
    this.logger.info('image loaded from glance', { requestId: ctx.requestId, containerUuid: c.uuid, glanceId: image.id, size: image.size, ms: Date.now() - started });
    return { ref, driver: 'glance' };
  }

  private async present(ctx: RequestContext, ref: string): Promise<boolean> {
    try {
      await this.driver.imageInspect(ctx, ref);
      return true;
    } catch (err) {
      if (err instanceof ImageNotFound) return false;
      throw err;
    }
  }
}

/**
 * The Glance image `ident` (an id, else a name) that `project` may use; ImageNotFound when there is none (an image of
 * another project reads as absent), Conflict-like InvalidValue when the name is ambiguous, as Zun says it.
 */
export async function findVisibleImage(glance: Pick<GlanceReader, 'findImage' | 'findImagesByName' | 'memberStatus'>, ident: string, project: string | null): Promise<GlanceImage> {
  if (UUID.test(ident)) {
    const byId = await glance.findImage(ident);
    if (byId && (await mayUse(glance, byId, project, false))) return byId;
  }
  const named: GlanceImage[] = [];
  for (const i of await glance.findImagesByName(ident)) if (await mayUse(glance, i, project, true)) named.push(i);
  if (named.length > 1) throw new InvalidValue('Multiple images exist with same name. Please use the image id instead.');
  const [one] = named;
  if (!one) throw new ImageNotFound(`Image ${ident} could not be found.`);
  return one;
}

/** Glance's rule for members: an image shared with a project is listed once accepted, and readable by id at once. */
async function mayUse(glance: Pick<GlanceReader, 'memberStatus'>, image: GlanceImage, project: string | null, listed: boolean): Promise<boolean> {
  const v = visibilityFor(image, project);
  if (v !== 'if-member' || project === null) return v === 'visible';
  const status = await glance.memberStatus(image.id, project);
  return listed ? status === 'accepted' : status !== null;
}

/** The image drivers of this host, by the name a container records. */
export class ImageDrivers {
  private readonly drivers: Map<string, ImageDriver>;

  constructor(drivers: ImageDriver[], private readonly defaultDriver: string = 'docker') {
    this.drivers = new Map(drivers.map((d) => [d.name, d]));
  }

  /** The driver a container names (its `image_driver`; none: the default); InvalidValue when this host has not enabled it. */
  for(c: Pick<Container, 'image_driver'>): ImageDriver {
    const name = c.image_driver && c.image_driver !== 'None' ? c.image_driver : this.defaultDriver;
    const d = this.drivers.get(name);
    if (!d) throw new InvalidValue(`Image driver ${name} is not enabled on this host (image_driver_list).`);
    return d;
  }
}
