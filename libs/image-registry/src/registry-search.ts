import { type RegistryClient } from './registry-client';

/** One repository of a registry that matched a search. */
export interface RegistryMatch {
  /** `domain/repository`, as a container's image would name it. */
  name: string;
  /** Its tags as the registry lists them. */
  tags: string[];
  /** The registry's `host[:port]`. */
  registry: string;
}

/** At most this many repositories of one registry are answered (each costs a tags request). */
export const MAX_MATCHES_PER_REGISTRY = 100;

/**
 * Repositories of the registry whose name starts with `term` (the whole name with `exact`), with their tags. A term
 * that names the registry (`host:port/name`) is matched without it. Names compare as stored (lower case).
 */
export async function searchRegistry(client: Pick<RegistryClient, 'domain' | 'catalog' | 'tags'>, term: string, exact: boolean): Promise<RegistryMatch[]> {
  const prefix = `${client.domain}/`;
  const wanted = term.startsWith(prefix) ? term.slice(prefix.length) : term;
  const names = (await client.catalog()).filter((n) => (exact ? n === wanted : n.startsWith(wanted))).sort();
  const out: RegistryMatch[] = [];
  for (const name of names.slice(0, MAX_MATCHES_PER_REGISTRY)) {
    out.push({ name: `${client.domain}/${name}`, tags: await client.tags(name), registry: client.domain });
  }
  return out;
}
