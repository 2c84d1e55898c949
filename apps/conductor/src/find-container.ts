import { ContainerNotFound } from '@zun-ts/common';
import { type ContainerRepository, type ContainerScope } from '@zun-ts/db';
import { type Container } from '@zun-ts/objects';

/** Every container row, whatever its project or type: the conductor checks ownership by host, not by project. */
export const ANY_CONTAINER: ContainerScope = { projectId: null, allProjects: true, containerType: null };

/** The record, or null when there is none. */
export async function findContainer(containers: Pick<ContainerRepository, 'getByUuid'>, uuid: string): Promise<Container | null> {
  try {
    return await containers.getByUuid(ANY_CONTAINER, uuid);
  } catch (err) {
    if (err instanceof ContainerNotFound) return null;
    throw err;
  }
}
