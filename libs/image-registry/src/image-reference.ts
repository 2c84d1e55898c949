import { InvalidValue } from '@zun-ts/common';

/** An image reference split the way Docker's distribution library splits it. */
export interface ImageReference {
  /** Registry host[:port], or null when the name has none (Docker Hub, or Zun's default registry). */
  domain: string | null;
  /** Repository path without the domain, e.g. `library/busybox` or `busybox`. */
  path: string;
  /** `domain/path`, or `path` alone when there is no domain. */
  name: string;
  tag: string | null;
  /** `sha256:<hex>` when the reference pins a digest. */
  digest: string | null;
}

/** An image reference ready for the engine: registry prefix applied, tag defaulted. */
export interface ResolvedImage {
  /** Repository including the registry, e.g. `127.0.0.1:5050/busybox`. */
  repo: string;
  /** `latest` when none was given; null when the reference pins a digest without a tag. */
  tag: string | null;
  digest: string | null;
  /** What to hand to the engine: `repo:tag`, or `repo@digest`. */
  ref: string;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

/**
 * Splits `[domain/]path[:tag][@digest]`. The first component is a domain only when it contains `.` or
 * `:` or is `localhost` (Docker's rule), so `library/busybox` has no domain.
 * @throws InvalidValue for something that is not an image reference.
 */
export function parseImageReference(image: string): ImageReference {
  const bad = (why: string): never => {
    throw new InvalidValue(`Invalid image reference '${image}': ${why}`);
  };
  if (!image || image.length > 255) bad('length must be 1 to 255');
  let rest = image;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) bad('invalid digest');
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) bad('invalid tag');
  }
  let domain: string | null = null;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      if (!DOMAIN_RE.test(first)) bad('invalid registry host');
      domain = first;
      rest = rest.slice(slash + 1);
    }
  }
  if (!rest) bad('empty repository name');
  for (const component of rest.split('/')) {
    if (!PATH_COMPONENT_RE.test(component)) bad('repository name must be lowercase letters, digits and separators');
  }
  return { domain, path: rest, name: domain ? `${domain}/${rest}` : rest, tag, digest };
}

/** Where an image without a registry in its name comes from. */
export interface ImageResolveOptions {
  /** Domain of the private registry the container asked for (Zun's `registry` on create). Wins over the default. */
  registryDomain?: string | null;
  /** `[docker] default_registry`. */
  defaultRegistry?: string | null;
}

/**
 * Zun's image name resolution: a reference without a registry domain gets the container's registry domain,
 * else `[docker] default_registry`, prefixed as is (`busybox` → `127.0.0.1:5050/busybox`, no `library/`);
 * the tag defaults to `latest`.
 */
export function resolveImage(image: string, opts: ImageResolveOptions = {}): ResolvedImage {
  const parsed = parseImageReference(image);
  const prefix = parsed.domain ? null : (opts.registryDomain || opts.defaultRegistry || null);
  const repo = prefix ? `${prefix.replace(/\/+$/, '')}/${parsed.path}` : parsed.name;
  const tag = parsed.tag ?? (parsed.digest ? null : 'latest');
  const ref = parsed.digest ? `${repo}${tag ? `:${tag}` : ''}@${parsed.digest}` : `${repo}:${tag ?? 'latest'}`;
  return { repo, tag, digest: parsed.digest, ref };
}
