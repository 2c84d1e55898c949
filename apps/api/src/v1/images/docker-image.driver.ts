import { inject, injectable } from 'inversify';
import { type Logger, type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { parseImageReference, RegistryClient, type RegistryClientOptions, resolveImage, searchRegistry } from '@zun-ts/image-registry';
import { CONF, LOGGER } from '../../api.tokens';
import { type ApiImageDriver, type ImagePresence, type ImageSearchResult, type RegistryAccess } from './api-image-driver';

/** Makes the client of one registry (tests replace it). */
export type RegistryClientFactory = (opts: RegistryClientOptions) => Pick<RegistryClient, 'domain' | 'catalog' | 'tags' | 'hasManifest'>;

/** Token of the {@link RegistryClientFactory} the docker image driver uses (optional: the real client by default). */
export const REGISTRY_CLIENT_FACTORY = Symbol.for('zun.api.RegistryClientFactory');

/** Why a registry call failed, for the log (messages of the registry client never carry credentials). */
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The API side of the `docker` image driver: images live in Docker registries, asked through the registry HTTP API
 * v2. Validation asks the registry the host would pull from (the container's registry, else `[docker]
 * default_registry`); search covers the registries this cloud uses (the default one and the caller's), never Docker
 * Hub. A registry that cannot be reached answers "unknown" (validation) or nothing (search), and is logged.
 */
@injectable()
export class DockerApiImageDriver implements ApiImageDriver {
  readonly name = 'docker' as const;
  private readonly client: RegistryClientFactory;

  constructor(
    @inject(CONF) private readonly conf: Pick<ZunConf, 'docker'>,
    @inject(LOGGER) private readonly logger: Logger,
    client?: RegistryClientFactory,
  ) {
    this.client = client ?? ((opts) => new RegistryClient(opts));
  }

  async presence(ctx: RequestContext, image: string, registry: RegistryAccess | null): Promise<ImagePresence> {
    const defaultRegistry = this.conf.docker.default_registry || null;
    const resolved = resolveImage(image, { registryDomain: registry?.domain ?? null, defaultRegistry });
    const { domain, path } = parseImageReference(resolved.repo);
    // Docker Hub is not one of this cloud's registries: the host's pull will tell.
    if (!domain) return 'unknown';
    const access = this.accessFor(domain, registry);
    const client = this.client({ domain, username: access.username, password: access.password });
    try {
      return (await client.hasManifest(path, resolved.digest ?? resolved.tag ?? 'latest')) ? 'present' : 'absent';
    } catch (err) {
      this.logger.warn('image validation could not ask the registry; the create goes on', { requestId: ctx.requestId, registry: domain, image, reason: reason(err) });
      return 'unknown';
    }
  }

  async search(ctx: RequestContext, term: string, exact: boolean, registries: RegistryAccess[]): Promise<ImageSearchResult[]> {
    const seen = new Set<string>();
    const results: ImageSearchResult[] = [];
    for (const r of registries) {
      if (seen.has(r.domain)) continue;
      seen.add(r.domain);
      try {
        for (const m of await searchRegistry(this.client({ domain: r.domain, username: r.username, password: r.password }), term, exact)) {
          results.push({ id: null, name: m.name, tags: m.tags, status: null, size: null, metadata: { registry: m.registry } });
        }
      } catch (err) {
        this.logger.warn('image search skipped a registry it could not ask', { requestId: ctx.requestId, registry: r.domain, reason: reason(err) });
      }
    }
    return results;
  }

  /** Credentials for `domain`: the container's registry's, else the default registry's, else anonymous. */
  private accessFor(domain: string, registry: RegistryAccess | null): Pick<RegistryAccess, 'username' | 'password'> {
    if (registry && registry.domain === domain) return registry;
    const d = this.conf.docker;
    if (d.default_registry && d.default_registry === domain) return { username: d.default_registry_username, password: d.default_registry_password };
    return { username: null, password: null };
  }
}
