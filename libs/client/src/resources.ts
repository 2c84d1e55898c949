// The v1 resources beside containers: services, hosts, quotas, images, registries, networks, volumes, capsules.
import { nextQuery } from './containers';
import { ZunClientError } from './errors';
import { type Query, type Transport } from './transport';
import { type ApiObject, type ListOptions, type Page, type ZunService } from './types';

const id = (ident: string): string => encodeURIComponent(ident);

/** A resource whose list answers `{<key>: [...], next}`, with show and delete by uuid or name. */
class Collection<T extends ApiObject> {
  constructor(
    protected readonly t: Transport,
    protected readonly path: string,
    private readonly key: string,
  ) {}

  async list(opts: ListOptions & Query = {}): Promise<Page<T>> {
    const r = await this.t.request<Record<string, unknown>>('GET', this.path, { query: opts });
    const items = r.body[this.key];
    if (!Array.isArray(items)) throw new ZunClientError(`GET ${this.path} answered no "${this.key}" list`);
    return { items: items as T[], next: typeof r.body['next'] === 'string' ? r.body['next'] : null };
  }

  /** Every item, page after page. */
  async *listAll(opts: ListOptions & Query = {}): AsyncGenerator<T> {
    let page = await this.list(opts);
    for (;;) {
      yield* page.items;
      if (!page.next || page.items.length === 0) return;
      page = await this.list(nextQuery(page.next));
    }
  }

  async get(ident: string): Promise<T> {
    return (await this.t.request<T>('GET', `${this.path}/${id(ident)}`)).body;
  }

  async delete(ident: string): Promise<void> {
    await this.t.request('DELETE', `${this.path}/${id(ident)}`);
  }
}

/** `/v1/services` (admin): the zun services and their state. */
export class ServicesApi {
  constructor(private readonly t: Transport) {}

  async list(): Promise<ZunService[]> {
    return (await this.t.request<{ services: ZunService[] }>('GET', '/services')).body.services;
  }

  async enable(host: string, binary: string): Promise<Record<string, unknown>> {
    return (await this.t.request<{ service: Record<string, unknown> }>('PUT', '/services/enable', { query: { host, binary } })).body.service;
  }

  async disable(host: string, binary: string, reason?: string): Promise<Record<string, unknown>> {
    return (await this.t.request<{ service: Record<string, unknown> }>('PUT', '/services/disable', { query: { host, binary, disabled_reason: reason } })).body.service;
  }

  async forceDown(host: string, binary: string, forcedDown: boolean): Promise<Record<string, unknown>> {
    return (await this.t.request<{ service: Record<string, unknown> }>('PUT', '/services/force_down', { query: { host, binary, forced_down: forcedDown ? 'True' : 'False' } })).body
      .service;
  }

  async delete(host: string, binary: string): Promise<void> {
    await this.t.request('DELETE', '/services', { query: { host, binary } });
  }
}

/** `/v1/hosts` (≥1.4, admin): the compute nodes. */
export class HostsApi {
  private readonly c: Collection<ApiObject>;
  constructor(t: Transport) {
    this.c = new Collection(t, '/hosts', 'hosts');
  }
  list(opts: ListOptions & Query = {}): Promise<Page<ApiObject>> {
    return this.c.list(opts);
  }
  get(ident: string): Promise<ApiObject> {
    return this.c.get(ident);
  }
}

export type QuotaSet = Record<string, number | string>;

/** `/v1/quotas/{project}` and `/v1/quota_classes/{class}`. */
export class QuotasApi {
  constructor(private readonly t: Transport) {}

  async get(projectId: string, opts: { usages?: boolean } = {}): Promise<QuotaSet> {
    return (await this.t.request<QuotaSet>('GET', `/quotas/${id(projectId)}`, { query: { usages: opts.usages ? 'True' : undefined } })).body;
  }

  async defaults(projectId: string): Promise<QuotaSet> {
    return (await this.t.request<QuotaSet>('GET', `/quotas/${id(projectId)}/defaults`)).body;
  }

  async update(projectId: string, quotas: { containers?: number; cpu?: number; memory?: number; disk?: number }): Promise<QuotaSet> {
    return (await this.t.request<QuotaSet>('PUT', `/quotas/${id(projectId)}`, { body: quotas })).body;
  }

  async delete(projectId: string): Promise<void> {
    await this.t.request('DELETE', `/quotas/${id(projectId)}`);
  }

  async getClass(className: string): Promise<QuotaSet> {
    return (await this.t.request<QuotaSet>('GET', `/quota_classes/${id(className)}`)).body;
  }

  async updateClass(className: string, quotas: { containers?: number; cpu?: number; memory?: number; disk?: number }): Promise<QuotaSet> {
    return (await this.t.request<QuotaSet>('PUT', `/quota_classes/${id(className)}`, { body: quotas })).body;
  }
}

/** `/v1/images`: images pulled onto hosts, and the search of registries. */
export class ImagesApi extends Collection<ApiObject> {
  constructor(t: Transport) {
    super(t, '/images', 'images');
  }

  /** `zun pull`: pulls `repo` onto `host` (admin). */
  async pull(repo: string, host: string): Promise<ApiObject> {
    return (await this.t.request<ApiObject>('POST', '/images', { body: { repo, host } })).body;
  }

  async search(image: string, opts: { imageDriver?: string; exactMatch?: boolean } = {}): Promise<ApiObject[]> {
    const r = await this.t.request<ApiObject[] | { images: ApiObject[] }>('GET', `/images/${id(image)}/search`, {
      query: { image_driver: opts.imageDriver, exact_match: opts.exactMatch === undefined ? undefined : String(opts.exactMatch) },
    });
    return Array.isArray(r.body) ? r.body : r.body.images;
  }
}

export interface RegistryCreate {
  name?: string;
  domain: string;
  username?: string;
  password?: string;
}

/** `/v1/registries` (≥1.34): private registries of the project. */
export class RegistriesApi extends Collection<ApiObject> {
  constructor(t: Transport) {
    super(t, '/registries', 'registries');
  }

  override async get(ident: string): Promise<ApiObject> {
    return (await this.t.request<{ registry: ApiObject }>('GET', `/registries/${id(ident)}`)).body.registry;
  }

  async create(registry: RegistryCreate): Promise<ApiObject> {
    return (await this.t.request<{ registry: ApiObject }>('POST', '/registries', { body: { registry } })).body.registry;
  }

  async update(ident: string, registry: Partial<RegistryCreate>): Promise<ApiObject> {
    return (await this.t.request<{ registry: ApiObject }>('PATCH', `/registries/${id(ident)}`, { body: { registry } })).body.registry;
  }
}

/** `/v1/networks`: project networks. */
export class NetworksApi extends Collection<ApiObject> {
  constructor(t: Transport) {
    super(t, '/networks', 'networks');
  }

  async create(network: { name: string; cidr: string; gateway?: string; shared?: boolean; nat_egress?: boolean }): Promise<ApiObject> {
    return (await this.t.request<ApiObject>('POST', '/networks', { body: network })).body;
  }
}

/** `/v1/volumes`: volumes on the compute hosts. */
export class VolumesApi extends Collection<ApiObject> {
  constructor(t: Transport) {
    super(t, '/volumes', 'volumes');
  }

  async create(volume: { size: number; name?: string; shareable?: boolean }): Promise<ApiObject> {
    return (await this.t.request<ApiObject>('POST', '/volumes', { body: volume })).body;
  }
}

/** `/v1/capsules`: pods of containers from a template. */
export class CapsulesApi extends Collection<ApiObject> {
  constructor(t: Transport) {
    super(t, '/capsules', 'capsules');
  }

  /** `template`: the capsule template (kind: capsule, metadata, spec) as an object. */
  async create(template: Record<string, unknown>): Promise<ApiObject> {
    return (await this.t.request<ApiObject>('POST', '/capsules', { body: { template } })).body;
  }
}
