import { type Logger, RegistryNotFound } from '@zun-ts/common';
import { type ContainerRepository, type RegistryRepository } from '@zun-ts/db';
import { type RpcCaller, type SealedRegistryCredentials } from '@zun-ts/rpc';
import { ANY_CONTAINER } from './find-container';
import { HostOwnership } from './host-ownership';

/**
 * The registries of containers as compute hosts read them (containerRegistry). A host reads the registry of a
 * container placed on it only (ADR 0006: another host's container is ContainerNotFound, as an absent one), and gets
 * the password as stored, sealed: it opens it with its own auth_encryption_key, so the plain password never crosses
 * the message bus. A read changes nothing, so a redelivered call is harmless.
 */
export class RegistryRecords {
  private readonly ownership: HostOwnership;

  constructor(
    private readonly registries: Pick<RegistryRepository, 'getById'>,
    private readonly containers: Pick<ContainerRepository, 'getByUuid'>,
    logger: Logger,
  ) {
    this.ownership = new HostOwnership(logger);
  }

  /** Null when the container names no registry; RegistryNotFound when the registry it names is gone. */
  async forContainer(args: { container_uuid: string }, caller: RpcCaller): Promise<SealedRegistryCredentials | null> {
    const c = this.ownership.requireContainer(caller, await this.containers.getByUuid(ANY_CONTAINER, args.container_uuid), 'containerRegistry');
    if (c.registry_id === null) return null;
    const r = await this.registries.getById(c.registry_id);
    if (!r) throw new RegistryNotFound(`The registry of container ${c.uuid} could not be found.`);
    return { domain: r.domain, username: r.username, sealed_password: r.password };
  }
}
