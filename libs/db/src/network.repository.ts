import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { cidrsOverlap, Conflict, intToIpv4, InvalidValue, type Ipv4Subnet, isHostAddress, isUuidLike, NetworkCidrConflict, NetworkExhausted, NetworkInUse, parseIpv4Cidr, PortNotFound } from '@zun-ts/common';
import { type Network, type NetworkPort, PORT_STATUSES } from '@zun-ts/objects';
import { type NetworkRow } from './network.entities';
import { formatCidr, lowestFreeSubnet, nextSegmentationId } from './network-addressing';
import { ipAddressInUse, NetworkSql, networkNotFound, toNetwork } from './network-statements';
import { type DefaultNetworkPool, type NetworkRepository, type NetworkScope, type NewNetwork, type PortWithNetwork } from './network.types';
import { type PageOptions, pageSql } from './pagination';
import { exec, insertOf, isForeignKeyViolation, rollback, select, type SqlEngine, type SqlValue, sqlDate, type TxBody } from './sql-engine';
import { isUniqueViolation } from './zun-service.repository';

/**
 * The key of the quota_lock row that serialises network creates on MariaDB (the CIDR overlap check reads every
 * network, which no unique index can guard). Keystone project ids are hex, so it names no project.
 */
const NETWORK_LOCK_KEY = '#network';
/** Returned by a body that lost a unique-index race (segmentation id, CIDR): run it again. */
const RETRY = Symbol('retry');
/** Returned by a body that found no lock row (MariaDB): make it, then run the body again. */
const NO_LOCK_ROW = Symbol('no network lock row');
/** How often a create runs again after losing a race before giving up. */
const CREATE_ATTEMPTS = 32;

const PORT_PATCHABLE = new Set<string>(['mac_address', 'status', 'host']);

function inUseBy(network: Network, n: number): NetworkInUse {
  return new NetworkInUse(`Network ${network.name || network.uuid} is in use by ${n} container port(s).`);
}

/** {@link NetworkRepository} in SQL shared by both engines. */
export class SqlNetworkRepository implements NetworkRepository {
  private readonly sql: NetworkSql;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.sql = new NetworkSql(ds, engine.kind);
  }

  private scopeSql(scope: NetworkScope, where: string[], params: SqlValue[]): void {
    if (scope.allProjects) return;
    if (scope.projectId === null) where.push('(`project_id` IS NULL OR `shared` = 1)');
    else {
      where.push('(`project_id` = ? OR `shared` = 1)');
      params.push(scope.projectId);
    }
  }

  private async selectNetworks(where: string[], params: SqlValue[], tail = ''): Promise<Network[]> {
    const sql = `${this.sql.selectNetworks}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${tail}`;
    return (await this.engine.selectAs(this.sql.networks, sql, params)).map(toNetwork);
  }

  /**
   * Runs `body` as one transaction holding the network lock: on MariaDB the quota_lock row
   * {@link NETWORK_LOCK_KEY}, locked until commit; SQLite's write transaction is exclusive already. A body
   * returning {@link RETRY} runs again.
   */
  private async underNetworkLock<T>(body: () => TxBody<T | typeof RETRY>): Promise<T> {
    const locking = this.engine.kind === 'mysql';
    const locked = function* (): TxBody<T | typeof RETRY | typeof NO_LOCK_ROW> {
      if (locking) {
        const [lock] = yield* select('SELECT `id` FROM `quota_lock` WHERE `project_id` = ? FOR UPDATE', [NETWORK_LOCK_KEY]);
        if (!lock) return rollback(NO_LOCK_ROW);
      }
      return yield* body();
    };
    for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
      const out = await this.engine.atomic(locked);
      if (out === NO_LOCK_ROW) {
        await this.engine.run('INSERT IGNORE INTO `quota_lock` (`project_id`, `created_at`, `updated_at`) VALUES (?, ?, NULL)', [NETWORK_LOCK_KEY, sqlDate(new Date())]);
      } else if (out !== RETRY) {
        return out as T;
      }
    }
    throw new Conflict('The network could not be created: too many concurrent network creates, try again.');
  }

  /** Transaction body: every network's uuid, name, CIDR and segmentation id. */
  private *allNetworksTx(): TxBody<Pick<Network, 'uuid' | 'name' | 'cidr' | 'segmentation_id'>[]> {
    const rows = yield* select<{ uuid: unknown; name: unknown; cidr: unknown; segmentation_id: unknown }>(
      `SELECT \`uuid\`, \`name\`, \`cidr\`, \`segmentation_id\` FROM ${this.sql.networks.quotedTable} ORDER BY \`id\``,
    );
    return rows.map((r) => ({ uuid: String(r.uuid), name: String(r.name), cidr: String(r.cidr), segmentation_id: Number(r.segmentation_id) }));
  }

  /** Transaction body: inserts the row; a lost unique race is {@link RETRY}, a taken uuid a Conflict. */
  private *insertNetworkTx(row: Omit<NetworkRow, 'id'>): TxBody<Network | typeof RETRY> {
    const insert = insertOf(this.sql.networks, row);
    try {
      const res = yield* exec(insert.sql, insert.params);
      return toNetwork({ id: res.insertId, ...row });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    const [byUuid] = yield* select(`SELECT \`id\` FROM ${this.sql.networks.quotedTable} WHERE \`uuid\` = ?`, [row.uuid]);
    if (byUuid) throw new Conflict(`A network with UUID ${row.uuid} already exists.`);
    return RETRY;
  }

  async create(network: NewNetwork): Promise<Network> {
    const subnet = parseIpv4Cidr(network.cidr);
    if (!subnet || subnet.prefix > 30) throw new InvalidValue(`Invalid network CIDR: ${network.cidr}. An IPv4 subnet of prefix length 30 or less is required.`);
    const cidr = formatCidr(subnet);
    if (!isHostAddress(subnet, network.gateway)) throw new InvalidValue(`Gateway ${network.gateway} is not a host address of ${cidr}.`);
    const explicitSeg = network.segmentation_id;
    if (explicitSeg !== undefined && !(Number.isSafeInteger(explicitSeg) && explicitSeg >= 1)) throw new InvalidValue(`Invalid segmentation id: ${explicitSeg}`);
    const base: Omit<NetworkRow, 'id' | 'segmentation_id'> = {
      uuid: network.uuid.toLowerCase(),
      name: network.name,
      project_id: network.project_id,
      user_id: network.user_id ?? null,
      cidr,
      gateway: network.gateway,
      subnet_id: network.subnet_id ?? randomUUID(),
      shared: network.shared ?? false,
      nat_egress: network.nat_egress ?? true,
      is_default: false,
      default_project: null,
      driver: network.driver ?? 'vxlan',
      created_at: new Date(),
      updated_at: null,
    };
    return this.underNetworkLock(() => this.createTx(base, explicitSeg, network.segmentation_min ?? 1));
  }

  /** Transaction body of {@link create}, under the network lock. */
  private *createTx(base: Omit<NetworkRow, 'id' | 'segmentation_id'>, explicitSeg: number | undefined, segMin: number): TxBody<Network | typeof RETRY> {
    const cidr = base.cidr;
    const all = yield* this.allNetworksTx();
    const overlap = all.find((n) => n.cidr === cidr || cidrsOverlap(n.cidr, cidr));
    if (overlap) throw new NetworkCidrConflict(`CIDR ${cidr} overlaps network ${overlap.name} (${overlap.cidr}).`);
    if (explicitSeg !== undefined) {
      const holder = all.find((n) => n.segmentation_id === explicitSeg);
      if (holder) throw new Conflict(`Segmentation id ${explicitSeg} is in use by network ${holder.name}.`);
    }
    const segmentation_id = explicitSeg ?? nextSegmentationId(all.map((n) => n.segmentation_id), segMin);
    return yield* this.insertNetworkTx({ ...base, segmentation_id });
  }

  async ensureDefault(projectId: string, userId: string | null, pool: DefaultNetworkPool): Promise<Network> {
    const [existing] = await this.selectNetworks(['`default_project` = ?'], [projectId]);
    if (existing) return existing;
    const range = parseIpv4Cidr(pool.pool);
    if (!range || !Number.isSafeInteger(pool.prefix) || pool.prefix < range.prefix || pool.prefix > 30) {
      throw new InvalidValue(`Invalid default network pool: /${pool.prefix} subnets of ${pool.pool}.`);
    }
    return this.underNetworkLock(() => this.ensureDefaultTx(projectId, userId, range, pool.prefix, pool.segmentationMin ?? 1));
  }

  /** Transaction body of {@link ensureDefault}, under the network lock. */
  private *ensureDefaultTx(projectId: string, userId: string | null, range: Ipv4Subnet, prefix: number, segMin: number): TxBody<Network | typeof RETRY> {
    const selectDefault = `${this.sql.selectNetworks} WHERE \`default_project\` = ?`;
    const [mine] = yield* select(selectDefault, [projectId]);
    if (mine) return toNetwork(this.sql.networks.decode(mine));
    const all = yield* this.allNetworksTx();
    const subnet = lowestFreeSubnet(range, prefix, all.map((n) => n.cidr));
    if (!subnet) throw new NetworkExhausted(`No free /${prefix} subnet left in the default network pool ${formatCidr(range)}.`);
    const out = yield* this.insertNetworkTx({
      uuid: randomUUID(),
      name: 'default',
      project_id: projectId,
      user_id: userId,
      cidr: formatCidr(subnet),
      gateway: intToIpv4(subnet.network + 1),
      subnet_id: randomUUID(),
      shared: false,
      nat_egress: true,
      segmentation_id: nextSegmentationId(all.map((n) => n.segmentation_id), segMin),
      is_default: true,
      default_project: projectId,
      driver: 'vxlan',
      created_at: new Date(),
      updated_at: null,
    });
    if (out !== RETRY) return out;
    // A racing caller of the same project made it first: theirs is the one.
    const [winner] = yield* select(selectDefault, [projectId]);
    return winner ? toNetwork(this.sql.networks.decode(winner)) : RETRY;
  }

  async getByUuid(scope: NetworkScope, uuid: string): Promise<Network> {
    const where = ['`uuid` = ?'];
    const params: SqlValue[] = [uuid.toLowerCase()];
    this.scopeSql(scope, where, params);
    const [n] = await this.selectNetworks(where, params);
    if (!n) throw networkNotFound(uuid);
    return n;
  }

  async getByName(scope: NetworkScope, name: string): Promise<Network> {
    const where = ['`name` = ?'];
    const params: SqlValue[] = [name];
    this.scopeSql(scope, where, params);
    const found = await this.selectNetworks(where, params, ' LIMIT 2');
    if (found.length > 1) throw new Conflict('Multiple networks exist with same name. Please use the network uuid instead.');
    const [n] = found;
    if (!n) throw networkNotFound(name);
    return n;
  }

  getByIdent(scope: NetworkScope, ident: string): Promise<Network> {
    return isUuidLike(ident) ? this.getByUuid(scope, ident) : this.getByName(scope, ident);
  }

  async list(scope: NetworkScope, opts: PageOptions = {}): Promise<Network[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    this.scopeSql(scope, where, params);
    const page = await pageSql(this.engine, this.sql.networks, opts, 'id');
    where.push(...page.where);
    params.push(...page.params);
    return this.selectNetworks(where, params, ` ${page.orderBy} ${page.limit}`);
  }

  async destroy(uuid: string): Promise<void> {
    const sql = this.sql;
    await this.engine.atomic(function* (): TxBody<void> {
      const network = yield* sql.lockNetworkTx(uuid);
      if (!network) return;
      const [count] = yield* select<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${sql.ports.quotedTable} WHERE \`network_uuid\` = ?`, [network.uuid]);
      const n = Number(count?.n ?? 0);
      if (n > 0) throw inUseBy(network, n);
      try {
        yield* exec(`DELETE FROM ${sql.networks.quotedTable} WHERE \`id\` = ?`, [network.id]);
      } catch (e) {
        // The foreign key, should a port have slipped in: still in use.
        if (isForeignKeyViolation(e)) throw inUseBy(network, 1);
        throw e;
      }
    });
  }

  portsOf(containerUuid: string): Promise<PortWithNetwork[]> {
    const sql = this.sql;
    return this.engine.atomic(() => sql.portsOfTx(containerUuid));
  }

  allocatePorts(containerUuid: string, host: string): Promise<PortWithNetwork[]> {
    const sql = this.sql;
    const id = containerUuid.toLowerCase();
    return this.engine.atomic(function* (): TxBody<PortWithNetwork[]> {
      const now = sql.ports.encode('updated_at', new Date());
      const current = yield* sql.portsOfTx(id);
      // Lock the networks being allocated from in one order (uuid), so two containers never wait on each other.
      const pending = current.filter((p) => p.port.status === 'pending');
      const locked = new Map<string, Network>();
      for (const uuid of [...new Set(pending.map((p) => p.network.uuid))].sort()) {
        const network = yield* sql.lockNetworkTx(uuid);
        if (network) locked.set(uuid, network);
      }
      for (const { port } of current) {
        if (port.status === 'pending') {
          const network = locked.get(port.network_uuid);
          if (!network) throw networkNotFound(port.network_uuid);
          const ip = yield* sql.pickAddressTx(network, port.requested_ip);
          try {
            yield* exec(
              `UPDATE ${sql.ports.quotedTable} SET \`fixed_ip\` = ?, \`host\` = ?, \`status\` = 'allocated', \`updated_at\` = ? WHERE \`id\` = ? AND \`status\` = 'pending'`,
              [ip, host, now, port.id],
            );
          } catch (e) {
            if (isUniqueViolation(e)) throw ipAddressInUse(ip, network);
            throw e;
          }
        } else if ((port.status === 'allocated' || port.status === 'bound') && port.host !== host) {
          // Moved to another host (a reschedule): the address stays, the port is plugged there anew.
          yield* exec(`UPDATE ${sql.ports.quotedTable} SET \`host\` = ?, \`status\` = 'allocated', \`updated_at\` = ? WHERE \`id\` = ?`, [host, now, port.id]);
        }
      }
      return yield* sql.portsOfTx(id);
    });
  }

  addPort(port: { port_uuid: string; container_uuid: string; project_id: string | null; network_uuid: string; requested_ip: string | null; host: string | null }): Promise<PortWithNetwork> {
    const sql = this.sql;
    const portUuid = port.port_uuid.toLowerCase();
    const containerUuid = port.container_uuid.toLowerCase();
    return this.engine.atomic(function* (): TxBody<PortWithNetwork> {
      const network = yield* sql.lockNetworkTx(port.network_uuid);
      if (!network) throw networkNotFound(port.network_uuid);
      const [same] = yield* select(`${sql.selectPorts} WHERE \`uuid\` = ?`, [portUuid]);
      if (same) {
        const existing = sql.ports.decode(same);
        // A redelivered attach finds the port it made.
        if (existing.container_uuid === containerUuid && existing.network_uuid === network.uuid) return { port: existing, network };
        throw new Conflict(`A port with UUID ${portUuid} already exists.`);
      }
      const [on] = yield* select(`SELECT \`id\` FROM ${sql.ports.quotedTable} WHERE \`container_uuid\` = ? AND \`network_uuid\` = ?`, [containerUuid, network.uuid]);
      if (on) throw new Conflict(`Container ${containerUuid} is already connected to network ${network.name}.`);
      const [max] = yield* select<{ m: unknown }>(`SELECT MAX(\`device_index\`) AS m FROM ${sql.ports.quotedTable} WHERE \`container_uuid\` = ?`, [containerUuid]);
      const deviceIndex = max?.m === null || max?.m === undefined ? 0 : Number(max.m) + 1;
      const ip = yield* sql.pickAddressTx(network, port.requested_ip);
      const row: Omit<NetworkPort, 'id'> = {
        ...sql.portRow({ uuid: portUuid, network_uuid: network.uuid, container_uuid: containerUuid, project_id: port.project_id, requested_ip: port.requested_ip, device_index: deviceIndex }, new Date()),
        fixed_ip: ip,
        host: port.host,
        status: 'allocated',
      };
      return { port: yield* sql.insertPortTx(row, network), network };
    });
  }

  async getPort(portUuid: string): Promise<NetworkPort> {
    const [row] = await this.engine.select(`${this.sql.selectPorts} WHERE \`uuid\` = ?`, [portUuid.toLowerCase()]);
    if (!row) throw new PortNotFound(`Port ${portUuid} could not be found.`);
    return this.sql.ports.decode(row);
  }

  async updatePort(portUuid: string, patch: Partial<Pick<NetworkPort, 'mac_address' | 'status' | 'host'>>): Promise<NetworkPort> {
    const codec = this.sql.ports;
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [key, value] of Object.entries(patch) as [string, unknown][]) {
      if (value === undefined) continue;
      if (!PORT_PATCHABLE.has(key)) throw new InvalidValue(`Cannot update port field: ${key}`);
      if (key === 'status' && !(PORT_STATUSES as readonly unknown[]).includes(value)) throw new InvalidValue(`Invalid port status: ${String(value)}`);
      sets.push(`\`${key}\` = ?`);
      params.push(codec.encode(key, value));
    }
    sets.push('`updated_at` = ?');
    params.push(codec.encode('updated_at', new Date()));
    const id = portUuid.toLowerCase();
    params.push(id);
    const updateSql = `UPDATE ${codec.quotedTable} SET ${sets.join(', ')} WHERE \`uuid\` = ?`;
    const selectSql = `${this.sql.selectPorts} WHERE \`uuid\` = ?`;
    return this.engine.atomic(function* (): TxBody<NetworkPort> {
      yield* exec(updateSql, params);
      const [row] = yield* select(selectSql, [id]);
      if (!row) throw new PortNotFound(`Port ${portUuid} could not be found.`);
      return codec.decode(row);
    });
  }

  async deletePort(portUuid: string): Promise<void> {
    await this.engine.run(`DELETE FROM ${this.sql.ports.quotedTable} WHERE \`uuid\` = ?`, [portUuid.toLowerCase()]);
  }

  releasePorts(containerUuid: string): Promise<Network[]> {
    const sql = this.sql;
    const id = containerUuid.toLowerCase();
    return this.engine.atomic(function* (): TxBody<Network[]> {
      const mine = yield* sql.portsOfTx(id);
      if (!mine.length) return [];
      yield* exec(`DELETE FROM ${sql.ports.quotedTable} WHERE \`container_uuid\` = ?`, [id]);
      const seen = new Map<string, Network>();
      for (const { network } of mine) if (!seen.has(network.uuid)) seen.set(network.uuid, network);
      return [...seen.values()];
    });
  }

  async peersOf(networkUuid: string, exceptHost: string | null): Promise<string[]> {
    const params: SqlValue[] = [networkUuid.toLowerCase()];
    let except = '';
    if (exceptHost !== null) {
      except = ' AND cn.`hostname` <> ?';
      params.push(exceptHost);
    }
    const rows = await this.engine.select<{ underlay_ip: unknown }>(
      'SELECT DISTINCT cn.`underlay_ip` FROM `compute_node` cn WHERE cn.`underlay_ip` IS NOT NULL AND cn.`hostname` IN ' +
        `(SELECT p.\`host\` FROM ${this.sql.ports.quotedTable} p WHERE p.\`network_uuid\` = ? AND p.\`status\` IN ('allocated', 'bound') AND p.\`host\` IS NOT NULL)` +
        `${except} ORDER BY cn.\`underlay_ip\``,
      params,
    );
    return rows.map((r) => String(r.underlay_ip));
  }

  async hostsOf(networkUuid: string): Promise<string[]> {
    const rows = await this.engine.select<{ host: unknown }>(
      `SELECT DISTINCT \`host\` FROM ${this.sql.ports.quotedTable} WHERE \`network_uuid\` = ? AND \`host\` IS NOT NULL ORDER BY \`host\``,
      [networkUuid.toLowerCase()],
    );
    return rows.map((r) => String(r.host));
  }

  networksOnHost(host: string): Promise<Network[]> {
    return this.selectNetworks([`\`uuid\` IN (SELECT \`network_uuid\` FROM ${this.sql.ports.quotedTable} WHERE \`host\` = ?)`], [host], ' ORDER BY `id`');
  }
}
