import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { InvalidValue, RegistryNotFound, type RequestContext, type SecretBox } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type RegistryFilters, type RegistryPatch, type RegistryScope } from '@zun-ts/db';
import { type Registry } from '@zun-ts/objects';
import { credentialsFromContext, type PolicyEnforcer, type PolicyTarget } from '@zun-ts/policy';
import { CONF, CONTAINER_BACKEND, POLICY, SECRET_BOX } from '../../api.tokens';
import { isAllProjects, nextLink, validateLimit, validateSortDir } from '../../http/request-params.parser';
import { type ContainerBackend } from '../containers/container-backend';
import { registryView } from './registry.view';

/** The fields of a create or update body (`{"registry": {...}}`), schema-checked; the password in clear. */
export interface RegistryFields {
  name?: string | null;
  domain?: string;
  username?: string | null;
  password?: string | null;
}

/** `GET /v1/registries`: the query as given. */
export interface ListRegistriesRequest {
  query: Readonly<Record<string, string>>;
  hostUrl: string;
}

/** What a pull from a registry needs: the password opened. Never logged, never rendered. */
export interface RegistryAccess {
  domain: string;
  username: string | null;
  password: string | null;
}

/** Makes (once) the SecretBox of `[DEFAULT] auth_encryption_key`; throws InvalidEncryptionKey without a usable key. */
export type SecretBoxProvider = () => SecretBox;

const FILTER_KEYS = ['name', 'domain', 'username', 'project_id', 'user_id'] as const;
const PAGE_KEYS = ['all_projects', 'limit', 'sort_dir', 'sort_key', 'marker'];

/**
 * The private registries (`/v1/registries`, Zun's `registry` resource): passwords are sealed with the
 * SecretBox before they are written and never leave in a view. Also the registry lookups of a container create
 * (the 1.31 `registry`) and of image validation ({@link accessFor}).
 */
@injectable()
export class RegistryService {
  constructor(
    @inject(CONTAINER_BACKEND) private readonly backend: ContainerBackend,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
    @inject(CONF) private readonly conf: ZunConf,
    @inject(SECRET_BOX) private readonly secrets: SecretBoxProvider,
  ) {}

  private get registries(): ContainerBackend['stores']['registries'] {
    return this.backend.stores.registries;
  }

  /** `POST /v1/registries`: a registry of the caller's project. */
  async create(ctx: RequestContext, fields: RegistryFields, hostUrl: string): Promise<Record<string, unknown>> {
    this.policy.authorizeCaller('registry:create', ctx);
    if (!fields.domain) throw new InvalidValue('A registry needs a domain.');
    const r = await this.registries.create({
      uuid: randomUUID(),
      name: fields.name ?? null,
      domain: fields.domain,
      username: fields.username ?? null,
      password: this.seal(fields.password),
      project_id: ctx.projectId,
      user_id: ctx.userId,
    });
    return registryView(r, hostUrl);
  }

  /** One page of the caller's registries (every project's with `all_projects`, admin) and the `next` link. */
  async list(ctx: RequestContext, req: ListRegistriesRequest): Promise<{ registries: Record<string, unknown>[]; next: string | null }> {
    this.policy.authorizeCaller('registry:get_all', ctx);
    const q: Record<string, string> = { ...req.query };
    const allProjects = isAllProjects(q);
    if (allProjects) this.policy.authorizeCaller('registry:get_all_all_projects', ctx);
    const limit = validateLimit(q['limit'], this.conf.api.max_limit);
    const sortDir = validateSortDir(q['sort_dir'] ?? 'asc');
    const sortKey = q['sort_key'] ?? 'id';
    const marker = q['marker'] || null;
    const filters: RegistryFilters = {};
    for (const k of FILTER_KEYS) {
      const v = q[k];
      if (v !== undefined) filters[k] = v;
      delete q[k];
    }
    for (const k of PAGE_KEYS) delete q[k];
    const unknown = Object.keys(q);
    if (unknown.length) throw new InvalidValue(`Unknown parameters: ${unknown.join(', ')}`);
    const scope: RegistryScope = { projectId: ctx.projectId, allProjects };
    // A marker the caller cannot see is not found, as any of its registries.
    if (marker) await this.registries.get(scope, marker);
    const rows = await this.registries.list(scope, filters, { limit, marker, sortKey, sortDir });
    return { registries: rows.map((r) => registryView(r, req.hostUrl)), next: nextLink(req.hostUrl, 'registries', rows, limit, sortKey, sortDir) };
  }

  async show(ctx: RequestContext, ident: string, hostUrl: string): Promise<Record<string, unknown>> {
    return registryView(await this.load(ctx, ident, 'registry:get_one'), hostUrl);
  }

  /** `PATCH`: the given fields; a new password is sealed with the current key. */
  async update(ctx: RequestContext, ident: string, fields: RegistryFields, hostUrl: string): Promise<Record<string, unknown>> {
    const r = await this.load(ctx, ident, 'registry:update');
    const patch: RegistryPatch = {};
    if (fields.name !== undefined) patch.name = fields.name;
    if (fields.domain !== undefined) patch.domain = fields.domain;
    if (fields.username !== undefined) patch.username = fields.username;
    if (fields.password !== undefined) patch.password = this.seal(fields.password);
    return registryView(await this.registries.update(r.uuid, patch), hostUrl);
  }

  /** 204; a registry a container still pulls from is a 409 (RegistryInUse) and stays. */
  async delete(ctx: RequestContext, ident: string): Promise<void> {
    const r = await this.load(ctx, ident, 'registry:delete');
    await this.registries.destroy(r.uuid);
  }

  /**
   * The registry a new container names (its 1.31 `registry`): by uuid or name, in the caller's own project only,
   * admins included (a container pulls with its project's credentials). RegistryNotFound (404) otherwise.
   */
  forContainer(ctx: RequestContext, ident: string): Promise<Registry> {
    return this.registries.get({ projectId: ctx.projectId, allProjects: false }, ident);
  }

  /**
   * Pull access to a registry of the caller's project (by uuid or name), the password opened with this API's key:
   * for the API's image validation, which asks the registry whether a container's image exists.
   * RegistryNotFound (404), or SecretUnreadable when the stored password does not open.
   */
  async accessFor(ctx: RequestContext, ident: string): Promise<RegistryAccess> {
    return this.accessOf(await this.forContainer(ctx, ident));
  }

  /**
   * Access to every registry of the caller's project, for image search. A password that does not open is left out
   * (the registry is searched anonymously) and logged, so one bad row does not fail the search.
   */
  async searchAccess(ctx: RequestContext, onUnreadable: (registryUuid: string, reason: string) => void): Promise<RegistryAccess[]> {
    if (ctx.projectId === null) return [];
    const rows = await this.registries.list({ projectId: ctx.projectId, allProjects: false });
    return rows.map((r) => {
      try {
        return this.accessOf(r);
      } catch (err) {
        onUnreadable(r.uuid, err instanceof Error ? err.message : String(err));
        return { domain: r.domain, username: r.username, password: null };
      }
    });
  }

  /** Pull access to a container's registry (its `registry_id`); RegistryNotFound when the row is gone. */
  async accessForId(registryId: number): Promise<RegistryAccess> {
    const r = await this.registries.getById(registryId);
    if (!r) throw RegistryNotFound.of(String(registryId));
    return this.accessOf(r);
  }

  private accessOf(r: Registry): RegistryAccess {
    return { domain: r.domain, username: r.username, password: r.password === null ? null : this.secrets().open(r.password) };
  }

  private seal(password: string | null | undefined): string | null {
    return password === undefined || password === null || password === '' ? null : this.secrets().seal(password);
  }

  /** By uuid or name; admins see every project's registries (as for containers), then the rule against the registry. */
  private async load(ctx: RequestContext, ident: string, rule: string): Promise<Registry> {
    const r = await this.registries.get({ projectId: ctx.projectId, allProjects: ctx.isAdmin }, ident);
    this.policy.authorize(rule, { ...r } as unknown as PolicyTarget, credentialsFromContext(ctx));
    return r;
  }
}
