import { type ServiceIdentifier } from 'inversify';
import { type DataSource, type Repository } from 'typeorm';
import { ContainerNotFound } from '@zun-ts/common';
import { type Container, type ExecInstance } from '@zun-ts/objects';
import { ContainerEntity, ExecInstanceEntity } from './entities';
import { isUniqueViolation } from './zun-service.repository';

/** What a compute host records about an interactive exec: where its bytes come from and who may open it. */
export interface ExecInstanceRecord {
  /** Docker exec id (64 hex). */
  exec_id: string;
  token: string | null;
  /** The console relay's address of this exec session. */
  url: string | null;
}

/**
 * The exec_instance table: interactive exec sessions of a container, reachable through the websocket
 * proxy with their token. Rows go with their container (ON DELETE CASCADE).
 */
export interface ExecInstanceRepository {
  /**
   * Records the session, or refreshes token and url of the same (container, exec id) — a redelivered
   * message changes nothing else. Throws ContainerNotFound.
   */
  upsert(containerUuid: string, record: ExecInstanceRecord): Promise<ExecInstance>;
  /** The session of the container's row id, or null. */
  get(containerId: number, execId: string): Promise<ExecInstance | null>;
  /** Sessions of a container row, oldest first. */
  list(containerId: number): Promise<ExecInstance[]>;
}

/** Injection token of the {@link ExecInstanceRepository}. */
export const EXEC_INSTANCE_REPOSITORY: ServiceIdentifier<ExecInstanceRepository> = Symbol.for('zun.ExecInstanceRepository');

/** {@link ExecInstanceRepository} on TypeORM. */
export class TypeormExecInstanceRepository implements ExecInstanceRepository {
  private readonly repo: Repository<ExecInstance>;
  private readonly containers: Repository<Container>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(ExecInstanceEntity);
    this.containers = ds.getRepository(ContainerEntity);
  }

  async upsert(containerUuid: string, record: ExecInstanceRecord): Promise<ExecInstance> {
    const owner = await this.containers.findOne({ where: { uuid: containerUuid }, select: { id: true } });
    if (!owner) throw new ContainerNotFound(`Container ${containerUuid} could not be found.`);
    const key = { container_id: owner.id, exec_id: record.exec_id };
    const now = new Date();
    try {
      await this.repo.insert({ ...key, token: record.token, url: record.url, created_at: now, updated_at: null });
    } catch (e) {
      if (!isUniqueViolation(e)) {
        // The container went between the lookup and the insert (foreign key).
        if (!(await this.containers.exists({ where: { id: owner.id } }))) throw new ContainerNotFound(`Container ${containerUuid} could not be found.`);
        throw e;
      }
      await this.repo.update(key, { token: record.token, url: record.url, updated_at: now });
    }
    const row = await this.get(owner.id, record.exec_id);
    if (!row) throw new ContainerNotFound(`Container ${containerUuid} could not be found.`);
    return row;
  }

  get(containerId: number, execId: string): Promise<ExecInstance | null> {
    return this.repo.findOneBy({ container_id: containerId, exec_id: execId });
  }

  list(containerId: number): Promise<ExecInstance[]> {
    return this.repo.find({ where: { container_id: containerId }, order: { id: 'ASC' } });
  }
}
