import { type RequestContext, type SecretBox } from '@zun-ts/common';
import { type RegistryCredentials } from '@zun-ts/compute-driver';
import { type Container } from '@zun-ts/objects';
import { type ConductorApi } from './conductor-api';

/**
 * The pull credentials of a container's registry (its 1.31 `registry`): read through the conductor with the password
 * sealed, opened here with this host's own auth_encryption_key. The opened password goes to the driver only; it is
 * never logged, never saved and never sent on.
 */
export class ContainerRegistries {
  constructor(
    private readonly conductor: Pick<ConductorApi, 'call'>,
    /** This host's SecretBox (made on first use; start-up has checked the key). */
    private readonly secrets: () => SecretBox,
  ) {}

  /**
   * Null when the container names no registry. RegistryNotFound when its registry is gone; SecretUnreadable when
   * the password was sealed with a key this host does not have (both fail the container with that reason).
   */
  async credentialsFor(ctx: RequestContext, c: Pick<Container, 'uuid' | 'registry_id'>): Promise<RegistryCredentials | null> {
    if (c.registry_id === null) return null;
    const sealed = await this.conductor.call('containerRegistry', ctx, { container_uuid: c.uuid });
    if (!sealed) return null;
    return {
      domain: sealed.domain,
      username: sealed.username,
      password: sealed.sealed_password === null ? null : this.secrets().open(sealed.sealed_password),
    };
  }
}
