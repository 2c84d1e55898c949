import { parseImageReference, RegistryClient, type ResolvedImage } from '@zun-ts/image-registry';

/** Who the engine is at a registry for one pull (Docker's auth config). */
export interface PullAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/** Registry clients kept (one per registry and identity; each keeps its bearer tokens). */
const MAX_CLIENTS = 32;

/**
 * For an `always` pull of an image the host already has: does the registry's tag still name that image? One HEAD of
 * the manifest, with the pull's own credentials (a registry that refuses them refuses this too), against the digests
 * the engine recorded when it pulled the image (`RepoDigests`). A few ms, where the engine's pull of an image it has
 * costs tens of ms and a registry round trip of its own.
 *
 * Anything not known for sure is "no" and the engine pulls as before, its answer deciding: no registry domain (Docker
 * Hub), a reference pinned by digest, a registry that cannot be reached, refuses or does not say the digest.
 */
export class TagFreshness {
  private readonly clients = new Map<string, RegistryClient>();

  constructor(private readonly opts: { timeoutMs?: number; fetch?: typeof fetch } = {}) {}

  async unchanged(resolved: ResolvedImage, repoDigests: readonly string[] | undefined, auth: PullAuth | undefined): Promise<boolean> {
    if (!resolved.tag || resolved.digest || !repoDigests?.length) return false;
    const { domain, path } = parseImageReference(resolved.repo);
    if (!domain) return false;
    try {
      const head = await this.client(domain, auth).manifestHead(path, resolved.tag);
      return head?.digest ? repoDigests.includes(`${resolved.repo}@${head.digest}`) : false;
    } catch {
      return false;
    }
  }

  private client(domain: string, auth: PullAuth | undefined): RegistryClient {
    const key = [domain, auth?.username ?? '', auth?.password ?? ''].join('\0');
    let client = this.clients.get(key);
    if (!client) {
      client = new RegistryClient({ domain, username: auth?.username ?? null, password: auth?.password ?? null, timeoutMs: this.opts.timeoutMs ?? 2000, fetch: this.opts.fetch });
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value ?? '');
      this.clients.set(key, client);
    }
    return client;
  }
}
