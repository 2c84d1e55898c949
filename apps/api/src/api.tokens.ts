import { type ZunService } from '@zun-ts/objects';

/** DI tokens of the API; each stands for the interface or value named beside it. */
/** The ZunConf and the Logger: the tokens every service shares. */
export { ZUN_CONF as CONF } from '@zun-ts/config';
export { LOGGER } from '@zun-ts/common';
export const CLOCK = Symbol.for('zun.api.Clock'); // Clock
export const POLICY = Symbol.for('zun.api.Policy'); // PolicyEnforcer
export const SERVICE_STORE = Symbol.for('zun.api.ServiceStore'); // ServiceStore
export const TOKEN_VALIDATOR = Symbol.for('zun.api.TokenValidator'); // TokenValidator
export const KEYSTONE_TOKEN_API = Symbol.for('zun.api.KeystoneTokenApi'); // KeystoneTokenApi
export const PIPELINE_STAGE = Symbol.for('zun.api.PipelineStageFactory'); // PipelineStageFactory (many)
export const PLUGIN_REGISTRY = Symbol.for('zun.api.PluginRegistry'); // PluginRegistry of [DEFAULT] plugin_paths
export const API_CONTROLLER = Symbol.for('zun.api.ApiController'); // ApiController (many)
export const CONTAINER_BACKEND = Symbol.for('zun.api.ContainerBackend'); // ContainerBackend (v1/containers/container-backend.ts)
export const SECRET_BOX = Symbol.for('zun.api.SecretBox'); // () => SecretBox (made on first use from [DEFAULT] auth_encryption_key)

/** Milliseconds since the epoch; a function so tests can move time. */
export type Clock = () => number;

/** The zun_service rows the API reads and changes (the DB repository satisfies it). */
export interface ServiceStore {
  /** Ordered by id. */
  list(): Promise<ZunService[]>;
  /** Throws ZunServiceNotFound. */
  update(host: string, binary: string, patch: Partial<Pick<ZunService, 'disabled' | 'disabled_reason' | 'forced_down'>>): Promise<ZunService>;
  /** Throws ZunServiceNotFound. */
  delete(host: string, binary: string): Promise<void>;
}

/** The identity a valid token carries (what keystonemiddleware turns into X-* headers). */
export interface TokenIdentity {
  userId: string;
  userName: string | null;
  userDomainId: string | null;
  userDomainName: string | null;
  projectId: string | null;
  projectName: string | null;
  projectDomainId: string | null;
  projectDomainName: string | null;
  /** Set for domain-scoped tokens. */
  domainId: string | null;
  domainName: string | null;
  /** Set for system-scoped tokens, e.g. `all`. */
  systemScope: string | null;
  roles: string[];
  isAdminProject: boolean | null;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Validates user tokens. */
export interface TokenValidator {
  /**
   * The token's identity, or `null` when the token is not (or no longer) valid.
   * Throws ServiceUnavailable when the identity service cannot tell.
   */
  validate(token: string): Promise<TokenIdentity | null>;
}
