import { type ServiceIdentifier } from 'inversify';
import { type Registry } from '@zun-ts/objects';
import { type PageOptions } from './pagination';

/** Which registries a caller sees: its project's, or every project's (admin `all_projects`, admin lookups). */
export interface RegistryScope {
  projectId: string | null;
  allProjects: boolean;
}

/** A new registry; `password` is already sealed (SecretBox of @zun-ts/common). */
export type NewRegistry = Pick<Registry, 'uuid' | 'domain' | 'project_id' | 'user_id'> & Partial<Pick<Registry, 'name' | 'username' | 'password'>>;

/** Fields `PATCH /v1/registries/{id}` may change (a sealed password). */
export type RegistryPatch = Partial<Pick<Registry, 'name' | 'domain' | 'username' | 'password'>>;

/** Filters of `GET /v1/registries` (Zun's: name, domain, username, project_id, user_id). */
export type RegistryFilters = Partial<Pick<Registry, 'name' | 'domain' | 'username' | 'project_id' | 'user_id'>>;

/** The registry table: private registries of projects, with sealed passwords. */
export interface RegistryRepository {
  create(registry: NewRegistry): Promise<Registry>;
  /** By uuid, or by name when `ident` does not look like one. @throws RegistryNotFound (404); a name matching several → Conflict (409). */
  get(scope: RegistryScope, ident: string): Promise<Registry>;
  /** By row id (a container's `registry_id`), in no scope: the caller already owns the container. Null when gone. */
  getById(id: number): Promise<Registry | null>;
  list(scope: RegistryScope, filters?: RegistryFilters, opts?: PageOptions): Promise<Registry[]>;
  /**
   * @param expected when given, the row is changed only while its stored (sealed) password is still this one (a key
   * rotation must not overwrite a password changed meanwhile): otherwise Conflict (409) and nothing is written.
   * @throws RegistryNotFound (404).
   */
  update(uuid: string, patch: RegistryPatch, expected?: { password: string | null }): Promise<Registry>;
  /** @throws RegistryNotFound (404). */
  destroy(uuid: string): Promise<void>;
  /** Every row of every project (the key rotation of `zun-manage`). */
  all(): Promise<Registry[]>;
}

/** Injection token of the {@link RegistryRepository}. */
export const REGISTRY_REPOSITORY: ServiceIdentifier<RegistryRepository> = Symbol.for('zun.RegistryRepository');
