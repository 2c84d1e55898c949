// The typed client of the zun-ts (and OpenStack Zun) v1 API.
import { ContainersApi } from './containers';
import { type Microversion } from './microversion';
import { CapsulesApi, HostsApi, ImagesApi, NetworksApi, QuotasApi, RegistriesApi, ServicesApi, VolumesApi } from './resources';
import { type ClientOptions, Transport } from './transport';

/**
 * ```ts
 * const zun = new ZunClient({ auth: { kind: 'password', authUrl, username, password, projectName } });
 * const c = await zun.containers.run({ image: 'busybox', command: ['echo', 'hello'] });
 * ```
 * Nothing is sent before the first call: then it logs in, finds the endpoint and negotiates the microversion.
 */
export class ZunClient {
  readonly containers: ContainersApi;
  readonly services: ServicesApi;
  readonly hosts: HostsApi;
  readonly quotas: QuotasApi;
  readonly images: ImagesApi;
  readonly registries: RegistriesApi;
  readonly networks: NetworksApi;
  readonly volumes: VolumesApi;
  readonly capsules: CapsulesApi;
  private readonly transport: Transport;

  constructor(opts: ClientOptions) {
    const t = new Transport(opts);
    this.transport = t;
    this.containers = new ContainersApi(t);
    this.services = new ServicesApi(t);
    this.hosts = new HostsApi(t);
    this.quotas = new QuotasApi(t);
    this.images = new ImagesApi(t);
    this.registries = new RegistriesApi(t);
    this.networks = new NetworksApi(t);
    this.volumes = new VolumesApi(t);
    this.capsules = new CapsulesApi(t);
  }

  /** A client from OS_* variables (an openrc file's), e.g. `ZunClient.fromEnv(process.env)`. */
  static fromEnv(env: Record<string, string | undefined>, extra: Omit<ClientOptions, 'auth'> = {}): ZunClient {
    const need = (k: string): string => {
      const v = env[k];
      if (!v) throw new Error(`${k} is not set`);
      return v;
    };
    const iface = env['OS_INTERFACE'];
    return new ZunClient({
      auth: {
        kind: 'password',
        authUrl: need('OS_AUTH_URL'),
        username: need('OS_USERNAME'),
        password: need('OS_PASSWORD'),
        projectName: need('OS_PROJECT_NAME'),
        userDomainName: env['OS_USER_DOMAIN_NAME'] ?? 'Default',
        projectDomainName: env['OS_PROJECT_DOMAIN_NAME'] ?? 'Default',
      },
      ...(iface === 'public' || iface === 'internal' || iface === 'admin' ? { interface: iface } : {}),
      ...(env['OS_REGION_NAME'] ? { region: env['OS_REGION_NAME'] } : {}),
      ...extra,
    });
  }

  /** The microversion the client sends (negotiated on first use). */
  apiVersion(): Promise<Microversion> {
    return this.transport.apiVersion();
  }

  /** The API's `/v1` URL. */
  endpoint(): Promise<string> {
    return this.transport.endpoint();
  }

  /** The Keystone token in use. */
  token(): Promise<string> {
    return this.transport.token();
  }

  /** Any v1 call the typed methods do not cover: `path` under `/v1`, JSON in and out, typed errors. */
  async raw<T = unknown>(method: string, path: string, opts: { query?: Record<string, string | number | boolean | undefined>; body?: unknown } = {}): Promise<T> {
    return (await this.transport.request<T>(method, path, opts)).body;
  }
}
