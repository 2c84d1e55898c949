import { ServiceUnavailable } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { GlanceClient } from './glance.client';
import { findEndpoint, KeystonePasswordAuth, normalizeInterface, type TokenSource } from './keystone-password.auth';

/** The configuration a service reaches Glance with. */
export type GlanceConfSource = Pick<ZunConf, 'glance' | 'keystone_authtoken'>;

/**
 * Glance as a service sees it from its configuration: the service user's login (`[glance]` credentials, else
 * `[keystone_authtoken]`'s), the image endpoint (`[glance] api_servers`, else the catalog's), and clients acting
 * with the service token or with a token a caller handed over.
 */
export class GlanceAccess {
  /** The service user's login; null when neither section names a complete set of credentials. */
  readonly serviceAuth: KeystonePasswordAuth | null;
  private readonly timeoutMs: number;

  constructor(private readonly conf: GlanceConfSource) {
    const g = conf.glance;
    const k = conf.keystone_authtoken;
    const authUrl = g.auth_url ?? k.auth_url;
    const username = g.username ?? k.username;
    const password = g.password ?? k.password;
    const projectName = g.project_name ?? k.project_name;
    this.serviceAuth =
      authUrl && username && password !== null && projectName
        ? new KeystonePasswordAuth({
            authUrl,
            username,
            password,
            projectName,
            userDomainName: g.user_domain_name ?? k.user_domain_name,
            projectDomainName: g.project_domain_name ?? k.project_domain_name,
            timeoutMs: k.http_connect_timeout * 1000,
          })
        : null;
    this.timeoutMs = g.timeout * 1000;
  }

  /** Glance's base URL: the first of `api_servers`, else the catalog endpoint of type `image` (ServiceUnavailable if none). */
  async endpoint(): Promise<string> {
    const g = this.conf.glance;
    const override = g.api_servers[0];
    if (override) return override;
    if (!this.serviceAuth) {
      throw new ServiceUnavailable('Image service unavailable: set [glance] api_servers, or service credentials in [glance] or [keystone_authtoken] to find it in the catalog');
    }
    const iface = normalizeInterface(g.endpoint_type) ?? 'public';
    const region = g.region_name ?? this.conf.keystone_authtoken.region_name;
    const url = findEndpoint(await this.serviceAuth.catalog(), 'image', iface, region);
    if (!url) throw new ServiceUnavailable(`Image service unavailable: the catalog has no ${iface} endpoint of type image${region ? ` in region ${region}` : ''}`);
    return url;
  }

  /** A client acting as the service user. */
  serviceClient(requestId?: string): GlanceClient {
    const auth = this.serviceAuth;
    if (!auth) throw new ServiceUnavailable('Image service unavailable: no service credentials in [glance] or [keystone_authtoken]');
    return new GlanceClient({ endpoint: () => this.endpoint(), auth, timeoutMs: this.timeoutMs, requestId });
  }

  /** A client acting with `token` (the caller's, in the API). */
  userClient(token: string, requestId?: string): GlanceClient {
    const auth: TokenSource = { token: () => Promise.resolve(token) };
    return new GlanceClient({ endpoint: () => this.endpoint(), auth, timeoutMs: this.timeoutMs, requestId });
  }
}
