import { randomUUID } from 'node:crypto';
import { type ServiceIdentifier } from 'inversify';
import { type DataSource } from 'typeorm';
import { ComputeNodeNotFound, InvalidValue, isUuidLike } from '@zun-ts/common';
import { type ComputeNode, type ComputeNodeInventory, INVENTORY_FIELDS, type JsonObject } from '@zun-ts/objects';
import {
  checkResources,
  claimForContainerTx,
  type ClaimLimits,
  type ClaimOutcome,
  type ClaimResources,
  claimStatement,
  releaseForContainerTx,
  releaseStatement,
} from './claims';
import { type ContainerClaim, ContainerClaimEntity, ComputeNodeEntity } from './entities';
import { type PageOptions, pageSql } from './pagination';
import { type SqlEngine, type SqlValue, sqlDate, TableCodec } from './sql-engine';
import { isUniqueViolation } from './zun-service.repository';

/**
 * The columns of a compute node the scheduler's host states use (`hostStateFrom`): its inventory and claim counters,
 * labels, runtimes. Reading only these (no dates, no NUMA document) keeps the scheduler's read of every host cheap.
 */
export const SCHEDULABLE_FIELDS = [
  'hostname', 'uuid', 'mem_total', 'mem_used', 'cpus', 'cpu_used', 'disk_total', 'disk_used', 'disk_quota_supported',
  'total_containers', 'labels', 'runtimes', 'enable_cpu_pinning',
] as const satisfies readonly (keyof ComputeNode)[];

/** A compute node as the scheduler reads it: {@link SCHEDULABLE_FIELDS} only. */
export type SchedulableNode = Pick<ComputeNode, (typeof SCHEDULABLE_FIELDS)[number]>;

/** The compute_node table, and the resource claims against it. */
export interface ComputeNodeRepository {
  /**
   * Creates the host's row or refreshes its inventory; the claim counters (`cpu_used`, `mem_used`,
   * `disk_used`, `total_containers`) are never written here. Safe when two reports race.
   */
  upsertFromTracker(hostname: string, inventory: ComputeNodeInventory): Promise<ComputeNode>;
  /** One page, default order `hostname` ascending. Throws InvalidValue and MarkerNotFound like container lists. */
  list(opts?: PageOptions): Promise<ComputeNode[]>;
  /** Every node, {@link SCHEDULABLE_FIELDS} only, by hostname ascending: what the scheduler reads for each decision batch. */
  listSchedulable(): Promise<SchedulableNode[]>;
  /** By hostname, or null. */
  get(hostname: string): Promise<ComputeNode | null>;
  /** By uuid when `ident` looks like one, else by hostname; throws ComputeNodeNotFound. */
  getByIdent(ident: string): Promise<ComputeNode>;
  /** Throws ComputeNodeNotFound. */
  delete(hostname: string): Promise<void>;
  /**
   * Adds the resources to the host's counters in ONE conditional UPDATE that succeeds only while they fit the
   * limits (`used + requested <= total × ratio`); returns whether it did. Throws ComputeNodeNotFound.
   */
  claim(hostname: string, resources: ClaimResources, limits: ClaimLimits): Promise<boolean>;
  /** Subtracts the resources (never below 0). Throws ComputeNodeNotFound. */
  release(hostname: string, resources: ClaimResources): Promise<void>;
  /**
   * {@link claim} recorded against the container, at most once: a redelivered or concurrent second call finds
   * the existing claim and charges nothing. `build` is stored with a claim this call makes (see
   * {@link ContainerClaim.build}). Throws ContainerNotFound, ComputeNodeNotFound.
   */
  claimForContainer(
    containerUuid: string,
    hostname: string,
    resources: ClaimResources,
    limits: ClaimLimits,
    build?: JsonObject | null,
  ): Promise<ClaimOutcome>;
  /** Gives the container's active claim back, exactly once; returns whether this call released it. */
  releaseForContainer(containerUuid: string): Promise<boolean>;
  /** The container's claim row (active or released), or null. */
  getClaim(containerUuid: string): Promise<ContainerClaim | null>;
  /**
   * Marks the container's active claim on `hostname` as acted on at `now`, if it has not changed since `since`.
   * One conditional UPDATE: of several conductors doing it within one period, exactly one gets true.
   */
  touchClaim(containerUuid: string, hostname: string, since: Date, now?: Date): Promise<boolean>;
}

/** Injection token of the {@link ComputeNodeRepository}. */
export const COMPUTE_NODE_REPOSITORY: ServiceIdentifier<ComputeNodeRepository> = Symbol.for('zun.ComputeNodeRepository');

/** {@link ComputeNodeRepository} in SQL shared by both engines. */
export class SqlComputeNodeRepository implements ComputeNodeRepository {
  private readonly codec: TableCodec<ComputeNode>;
  private readonly claimCodec: TableCodec<ContainerClaim>;
  private readonly selectFrom: string;
  private readonly selectSchedulable: string;
  private readonly schedulableCodec: TableCodec<SchedulableNode>;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.codec = new TableCodec(ds, ComputeNodeEntity);
    this.claimCodec = new TableCodec(ds, ContainerClaimEntity);
    this.selectFrom = `SELECT ${this.codec.selectList} FROM ${this.codec.quotedTable}`;
    this.schedulableCodec = TableCodec.of(ds, ComputeNodeEntity, SCHEDULABLE_FIELDS);
    this.selectSchedulable = `SELECT ${this.schedulableCodec.selectList} FROM ${this.codec.quotedTable} ORDER BY \`hostname\``;
  }

  private notFound(ident: string): ComputeNodeNotFound {
    return new ComputeNodeNotFound(`Compute node ${ident} could not be found.`);
  }

  async upsertFromTracker(hostname: string, inventory: ComputeNodeInventory): Promise<ComputeNode> {
    const fields = INVENTORY_FIELDS.filter((f) => inventory[f] !== undefined);
    // A row deleted between our update and insert, or inserted by a racing report, sends us round again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      const sets = [...fields.map((f) => `\`${f}\` = ?`), '`updated_at` = ?'];
      const params: SqlValue[] = [...fields.map((f) => this.codec.encode(f, inventory[f])), this.codec.encode('updated_at', now), hostname];
      const res = await this.engine.run(`UPDATE ${this.codec.quotedTable} SET ${sets.join(', ')} WHERE \`hostname\` = ?`, params);
      if (res.affected > 0) {
        const row = await this.get(hostname);
        if (row) return row;
        continue;
      }
      const node: Omit<ComputeNode, 'id'> = {
        uuid: randomUUID(),
        hostname,
        mem_total: 0,
        mem_free: 0,
        mem_available: 0,
        mem_used: 0,
        total_containers: 0,
        running_containers: 0,
        paused_containers: 0,
        stopped_containers: 0,
        cpus: 0,
        cpu_used: 0,
        disk_total: 0,
        disk_used: 0,
        disk_quota_supported: false,
        enable_cpu_pinning: false,
        architecture: null,
        os_type: null,
        os: null,
        kernel_version: null,
        labels: null,
        runtimes: null,
        numa_topology: null,
        underlay_ip: null,
        created_at: now,
        updated_at: null,
      };
      for (const f of fields) (node as Record<string, unknown>)[f] = inventory[f];
      const keys = Object.keys(node) as (keyof typeof node)[];
      try {
        const ins = await this.engine.run(
          `INSERT INTO ${this.codec.quotedTable} (${keys.map((k) => `\`${k}\``).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
          keys.map((k) => this.codec.encode(k, node[k])),
        );
        return { id: ins.insertId, ...node };
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
    }
    throw this.notFound(hostname);
  }

  async list(opts: PageOptions = {}): Promise<ComputeNode[]> {
    const page = await pageSql(this.engine, this.codec, opts, 'hostname');
    const where = page.where.length ? ` WHERE ${page.where.join(' AND ')}` : '';
    return this.engine.selectAs(this.codec, `${this.selectFrom}${where} ${page.orderBy} ${page.limit}`, page.params);
  }

  listSchedulable(): Promise<SchedulableNode[]> {
    return this.engine.selectAs(this.schedulableCodec, this.selectSchedulable);
  }

  async get(hostname: string): Promise<ComputeNode | null> {
    const [node] = await this.engine.selectAs(this.codec, `${this.selectFrom} WHERE \`hostname\` = ?`, [hostname]);
    return node ?? null;
  }

  async getByIdent(ident: string): Promise<ComputeNode> {
    const [node] = isUuidLike(ident)
      ? await this.engine.selectAs(this.codec, `${this.selectFrom} WHERE \`uuid\` = ?`, [ident.toLowerCase()])
      : await this.engine.selectAs(this.codec, `${this.selectFrom} WHERE \`hostname\` = ?`, [ident]);
    if (!node) throw this.notFound(ident);
    return node;
  }

  async delete(hostname: string): Promise<void> {
    const res = await this.engine.run(`DELETE FROM ${this.codec.quotedTable} WHERE \`hostname\` = ?`, [hostname]);
    if (res.affected === 0) throw this.notFound(hostname);
  }

  private async requireNode(hostname: string): Promise<void> {
    const [row] = await this.engine.select(`SELECT \`id\` FROM ${this.codec.quotedTable} WHERE \`hostname\` = ?`, [hostname]);
    if (!row) throw this.notFound(hostname);
  }

  async claim(hostname: string, resources: ClaimResources, limits: ClaimLimits): Promise<boolean> {
    checkResources(resources);
    const s = claimStatement(hostname, resources, limits, new Date());
    const res = await this.engine.run(s.sql, s.params);
    if (res.affected > 0) return true;
    await this.requireNode(hostname);
    return false;
  }

  async release(hostname: string, resources: ClaimResources): Promise<void> {
    checkResources(resources);
    const s = releaseStatement(hostname, resources, new Date());
    const res = await this.engine.run(s.sql, s.params);
    if (res.affected === 0) throw this.notFound(hostname);
  }

  async claimForContainer(
    containerUuid: string,
    hostname: string,
    resources: ClaimResources,
    limits: ClaimLimits,
    build: JsonObject | null = null,
  ): Promise<ClaimOutcome> {
    checkResources(resources);
    if (!containerUuid) throw new InvalidValue('A claim needs a container uuid');
    return this.engine.atomic(() => claimForContainerTx(containerUuid, hostname, resources, limits, new Date(), build));
  }

  async releaseForContainer(containerUuid: string): Promise<boolean> {
    return this.engine.atomic(() => releaseForContainerTx(containerUuid, new Date()));
  }

  async touchClaim(containerUuid: string, hostname: string, since: Date, now: Date = new Date()): Promise<boolean> {
    const res = await this.engine.run(
      'UPDATE `container_claim` SET `updated_at` = ? WHERE `container_uuid` = ? AND `hostname` = ? AND `released_at` IS NULL ' +
        'AND COALESCE(`updated_at`, `created_at`) <= ?',
      [sqlDate(now), containerUuid, hostname, sqlDate(since)],
    );
    return res.affected > 0;
  }

  async getClaim(containerUuid: string): Promise<ContainerClaim | null> {
    const [claim] = await this.engine.selectAs(
      this.claimCodec,
      `SELECT ${this.claimCodec.selectList} FROM ${this.claimCodec.quotedTable} WHERE \`container_uuid\` = ?`,
      [containerUuid],
    );
    return claim ?? null;
  }
}
