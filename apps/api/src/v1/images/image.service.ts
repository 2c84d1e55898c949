import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import {
  ComputeNodeNotFound, ImageNotFound as ImageRowNotFound, InvalidValue, isUuidLike, type Logger, type RequestContext,
} from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ImageRepository } from '@zun-ts/db';
import { resolveImage } from '@zun-ts/image-registry';
import { type Image } from '@zun-ts/objects';
import { credentialsFromContext, type PolicyEnforcer, type PolicyTarget } from '@zun-ts/policy';
import { CONF, CONTAINER_BACKEND, LOGGER, POLICY } from '../../api.tokens';
import { nextLink, validateLimit, validateSortDir } from '../../http/request-params.parser';
import { type ContainerBackend } from '../containers/container-backend';
import { API_IMAGE_DRIVERS, type ApiImageDriver, type ImageSearchResult, type RegistryAccess } from './api-image-driver';
import { hostDoesNotExist, ImageInUse, imageDriverNotEnabled, imageDriverWithoutSearch, imageNotFound } from './image.errors';
import { imageView } from './image.view';
import { RegistryService } from '../registries/registry.service';

/** `POST /v1/images`, schema-checked. */
export interface PullImageRequest {
  repo: string;
  /** Used when `repo` names no tag. */
  tag: string | null;
  /** Compute node uuid or hostname. */
  host: string;
  imagePullPolicy: string | null;
  hostUrl: string;
}

/** `GET /v1/images/{term}/search`, schema-checked. */
export interface SearchImagesRequest {
  term: string;
  /** null: the default driver (`docker`). */
  imageDriver: string | null;
  exact: boolean;
}

const LIST_PARAMS = ['limit', 'marker', 'sort_key', 'sort_dir'];

/**
 * Images on compute hosts (`/v1/images`, admin by default): pull one onto a host (a row, then a cast to the host,
 * which records what it pulled), list, show, delete (a cast: the host removes it from its engine, then the row);
 * and search (any project member) through the image drivers.
 */
@injectable()
export class ImageService {
  constructor(
    @inject(CONTAINER_BACKEND) private readonly backend: ContainerBackend,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
    @inject(CONF) private readonly conf: ZunConf,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(API_IMAGE_DRIVERS) private readonly drivers: ApiImageDriver[],
    @inject(RegistryService) private readonly registries: Pick<RegistryService, 'searchAccess'>,
  ) {}

  private get images(): ImageRepository {
    return this.backend.stores.images;
  }

  /**
   * A row for `repo[:tag]` on the host (the default registry prefixed as the host would), then the pull is cast to
   * that host. A cast that cannot be sent removes the row again.
   */
  async pull(ctx: RequestContext, req: PullImageRequest): Promise<Record<string, unknown>> {
    this.policy.authorizeCaller('image:pull', ctx);
    const resolved = resolveImage(req.repo, { defaultRegistry: this.conf.docker.default_registry || null });
    if (resolved.digest) throw new InvalidValue(`Invalid repo ${req.repo}: pull an image by tag, not by digest.`);
    const node = await this.backend.stores.computeNodes.getByIdent(req.host).catch((e: unknown) => {
      throw e instanceof ComputeNodeNotFound ? hostDoesNotExist(req.host) : e;
    });
    const tagged = /:[^/]+$/.test(req.repo);
    // Nothing is written for a pull the bus cannot take (503).
    await this.backend.rpc.ready();
    const image = await this.images.create({
      uuid: randomUUID(),
      repo: resolved.repo,
      tag: tagged ? resolved.tag : (req.tag ?? 'latest'),
      host: node.hostname,
      project_id: ctx.projectId,
      user_id: ctx.userId,
    });
    try {
      await this.backend.rpc.compute(node.hostname).cast('imagePull', ctx, { image, image_pull_policy: req.imagePullPolicy });
    } catch (e) {
      await this.images.destroy(image.uuid).catch((err: unknown) => this.logger.warn('could not remove the image row after a failed cast', { uuid: image.uuid, error: String(err) }));
      throw e;
    }
    return imageView(image, req.hostUrl);
  }

  /** One page of images (every project's: images are an admin resource) and Zun's `next` link. */
  async list(ctx: RequestContext, query: Readonly<Record<string, string>>, hostUrl: string): Promise<{ images: Record<string, unknown>[]; next: string | null }> {
    this.policy.authorizeCaller('image:get_all', ctx);
    const unknown = Object.keys(query).filter((k) => !LIST_PARAMS.includes(k));
    if (unknown.length) throw new InvalidValue(`Unknown parameters: ${unknown.join(', ')}`);
    const limit = validateLimit(query['limit'], this.conf.api.max_limit);
    const sortDir = validateSortDir(query['sort_dir'] ?? 'asc');
    const sortKey = query['sort_key'] ?? 'id';
    const marker = query['marker'] || null;
    const rows = await this.images.list({ limit, marker, sortKey, sortDir });
    return { images: rows.map((i) => imageView(i, hostUrl)), next: nextLink(hostUrl, 'images', rows, limit, sortKey, sortDir) };
  }

  async show(ctx: RequestContext, ident: string, hostUrl: string): Promise<Record<string, unknown>> {
    return imageView(await this.load(ctx, ident, 'image:get_one'), hostUrl);
  }

  /**
   * Refused (409) while a container on the image's host was made from it; otherwise the host removes it from its
   * engine and then the row (a cast: the answer does not wait).
   */
  async delete(ctx: RequestContext, ident: string): Promise<void> {
    const image = await this.load(ctx, ident, 'image:delete');
    if (image.host === null) {
      await this.images.destroy(image.uuid);
      return;
    }
    const user = await this.userOf({ ...image, host: image.host });
    if (user) throw ImageInUse.of(`${image.repo}:${image.tag ?? 'latest'}`, user);
    await this.backend.rpc.compute(image.host).cast('imageDelete', ctx, { image });
  }

  /** Search through the named image driver (the default one when none is named). */
  async search(ctx: RequestContext, req: SearchImagesRequest): Promise<ImageSearchResult[]> {
    this.policy.authorizeCaller('image:search', ctx);
    const name = req.imageDriver ?? 'docker';
    const driver = this.drivers.find((d) => d.name === name);
    if (!driver) throw this.conf.DEFAULT.image_driver_list.includes(name) ? imageDriverWithoutSearch(name) : imageDriverNotEnabled(name);
    return driver.search(ctx, req.term, req.exact, name === 'docker' ? await this.searchRegistries(ctx) : []);
  }

  /** The default registry (with its credentials), then the caller's project's registries (passwords opened). */
  private async searchRegistries(ctx: RequestContext): Promise<RegistryAccess[]> {
    const d = this.conf.docker;
    const out: RegistryAccess[] = [];
    if (d.default_registry) out.push({ domain: d.default_registry, username: d.default_registry_username, password: d.default_registry_password });
    const own = await this.registries.searchAccess(ctx, (registry, reason) =>
      this.logger.warn('a registry password could not be opened; searching it anonymously', { requestId: ctx.requestId, registry, reason }));
    return [...out, ...own];
  }

  /** A container on the image's host whose image resolves to the row's repo and tag, or null. */
  private async userOf(image: Image & { host: string }): Promise<string | null> {
    const wanted = `${image.repo}:${image.tag ?? 'latest'}`;
    const defaultRegistry = this.conf.docker.default_registry || null;
    const onHost = await this.backend.stores.containers.list({ projectId: null, allProjects: true, containerType: null }, { filters: { host: image.host } });
    for (const c of onHost) {
      if (!c.image) continue;
      let ref: string;
      try {
        ref = resolveImage(c.image, { defaultRegistry }).ref;
      } catch {
        continue;
      }
      if (ref === wanted) return c.uuid;
    }
    return null;
  }

  /** By uuid only (Zun looks images up by uuid; anything else is not found), then the rule against the row. */
  private async load(ctx: RequestContext, ident: string, rule: string): Promise<Image> {
    if (!isUuidLike(ident)) throw imageNotFound(ident);
    const image = await this.images.getByUuid(ident).catch((e: unknown) => {
      throw e instanceof ImageRowNotFound ? imageNotFound(ident) : e;
    });
    this.policy.authorize(rule, { ...image } as unknown as PolicyTarget, credentialsFromContext(ctx));
    return image;
  }
}
