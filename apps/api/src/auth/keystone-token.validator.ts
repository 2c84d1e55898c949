import { createHash } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { type Logger } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { CLOCK, type Clock, CONF, KEYSTONE_TOKEN_API, LOGGER, type TokenIdentity, type TokenValidator } from '../api.tokens';
import { type KeystoneTokenApi } from './keystone.client';
import { TtlLruCache } from './ttl-lru.cache';

/** Most token validations remembered at once. */
export const TOKEN_CACHE_ENTRIES = 10_000;

type Cached = { valid: true; identity: TokenIdentity } | { valid: false };

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The identity in a Keystone v3 token document; `null` when it is unusable (unscoped, malformed). */
export function identityFromTokenDocument(doc: unknown): TokenIdentity | null {
  const token = obj(obj(doc)['token']);
  const user = obj(token['user']);
  const userDomain = obj(user['domain']);
  const project = token['project'] === undefined ? null : obj(token['project']);
  const projectDomain = obj(project?.['domain']);
  const domain = token['domain'] === undefined ? null : obj(token['domain']);
  const system = token['system'] === undefined ? null : obj(token['system']);
  const expiresAt = typeof token['expires_at'] === 'string' ? Date.parse(token['expires_at']) : Number.NaN;
  const userId = str(user['id']);
  if (!userId || Number.isNaN(expiresAt)) return null;
  // An unscoped token names nobody's project; Zun's owner rules would treat it as matching
  // an absent project, so it is refused, as keystonemiddleware does.
  if (!str(project?.['id']) && !str(domain?.['id']) && !system) return null;
  const roles = Array.isArray(token['roles']) ? token['roles'].map((r) => str(obj(r)['name'])).filter((r): r is string => r !== null) : [];
  return {
    userId,
    userName: str(user['name']),
    userDomainId: str(userDomain['id']),
    userDomainName: str(userDomain['name']),
    projectId: str(project?.['id']),
    projectName: str(project?.['name']),
    projectDomainId: str(projectDomain['id']),
    projectDomainName: str(projectDomain['name']),
    domainId: str(domain?.['id']),
    domainName: str(domain?.['name']),
    systemScope: system ? Object.keys(system).filter((k) => system[k] === true).join(',') || 'all' : null,
    roles,
    isAdminProject: typeof token['is_admin_project'] === 'boolean' ? token['is_admin_project'] : null,
    expiresAt,
  };
}

/**
 * Validates user tokens against Keystone and remembers the answers (valid and invalid)
 * for `[keystone_authtoken] token_cache_time`, never past a token's own expiry.
 */
@injectable()
export class KeystoneTokenValidator implements TokenValidator {
  private readonly cache: TtlLruCache<Cached>;
  private readonly inflight = new Map<string, Promise<TokenIdentity | null>>();
  private readonly cacheMs: number;

  constructor(
    @inject(KEYSTONE_TOKEN_API) private readonly keystone: KeystoneTokenApi,
    @inject(CONF) conf: ZunConf,
    @inject(CLOCK) private readonly now: Clock,
    @inject(LOGGER) private readonly logger: Logger,
  ) {
    this.cacheMs = conf.keystone_authtoken.token_cache_time * 1000;
    this.cache = new TtlLruCache<Cached>(TOKEN_CACHE_ENTRIES, now);
  }

  async validate(token: string): Promise<TokenIdentity | null> {
    // Header-safe printable ASCII only: anything else cannot be a Keystone token.
    if (!/^[\x21-\x7e]{1,8192}$/.test(token)) return null;
    const key = createHash('sha256').update(token).digest('hex');
    const hit = this.cache.get(key);
    if (hit) return hit.valid && hit.identity.expiresAt > this.now() ? hit.identity : null;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.ask(key, token).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async ask(key: string, token: string): Promise<TokenIdentity | null> {
    const doc = await this.keystone.validateToken(token);
    const now = this.now();
    const identity = doc === null ? null : identityFromTokenDocument(doc);
    if (!identity || identity.expiresAt <= now) {
      if (doc !== null && !identity) this.logger.warn('token refused: unscoped or malformed token document');
      this.cache.set(key, { valid: false }, now + this.cacheMs);
      return null;
    }
    this.cache.set(key, { valid: true, identity }, Math.min(now + this.cacheMs, identity.expiresAt));
    return identity;
  }
}
