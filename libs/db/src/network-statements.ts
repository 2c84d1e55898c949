import { type DataSource } from 'typeorm';
import { Conflict, ContainerNotFound, InvalidValue, IpAddressInUse, ipv4ToInt, isHostAddress, NetworkExhausted, NetworkNotFound, parseIpv4Cidr } from '@zun-ts/common';
import { type Network, type NetworkPort } from '@zun-ts/objects';
import { type ConnectionTarget } from './connection-url';
import { NetworkEntity, NetworkPortEntity, type NetworkRow } from './network.entities';
import { lowestFreeHost } from './network-addressing';
import { type PortPlan, type PortWithNetwork } from './network.types';
import { exec, insertOf, isForeignKeyViolation, select, TableCodec, type TxBody } from './sql-engine';
import { isUniqueViolation } from './zun-service.repository';

// The network statements and transaction bodies shared by the network and quota repositories: a container
// create writes its pending ports in the same transaction as the row; allocations pick addresses under the
// network's row lock.

/** NetworkNotFound in Zun's words. */
export function networkNotFound(ident: string): NetworkNotFound {
  return new NetworkNotFound(`Network ${ident} could not be found.`);
}

/** NetworkExhausted for a network without a free address. */
export function networkExhausted(network: Network): NetworkExhausted {
  return new NetworkExhausted(`No more IP addresses available on network ${network.name} (${network.cidr}).`);
}

/** IpAddressInUse for an address another port (or the gateway) holds. */
export function ipAddressInUse(ip: string, network: Network): IpAddressInUse {
  return new IpAddressInUse(`IP address ${ip} is already in use on network ${network.name}.`);
}

/** The stored row as the domain object (without `default_project`). */
export function toNetwork(row: NetworkRow): Network {
  const { default_project: _defaultProject, ...network } = row;
  return network;
}

/** The owner of a new container's ports. */
export interface PortOwner {
  uuid: string;
  project_id: string | null;
}

/** Codecs and transaction bodies of the `network` and `network_port` tables. */
export class NetworkSql {
  readonly networks: TableCodec<NetworkRow>;
  readonly ports: TableCodec<NetworkPort>;
  /** `SELECT <every network column> FROM network`. */
  readonly selectNetworks: string;
  /** `SELECT <every port column> FROM network_port`. */
  readonly selectPorts: string;
  /** Appended to a SELECT that locks the rows it reads until commit (MariaDB; SQLite transactions are serial). */
  readonly forUpdate: string;

  constructor(ds: DataSource, kind: ConnectionTarget['kind']) {
    this.networks = new TableCodec(ds, NetworkEntity);
    this.ports = new TableCodec(ds, NetworkPortEntity);
    this.selectNetworks = `SELECT ${this.networks.selectList} FROM ${this.networks.quotedTable}`;
    this.selectPorts = `SELECT ${this.ports.selectList} FROM ${this.ports.quotedTable}`;
    this.forUpdate = kind === 'mysql' ? ' FOR UPDATE' : '';
  }

  /** The row of a new port. */
  portRow(p: Pick<NetworkPort, 'uuid' | 'network_uuid' | 'container_uuid' | 'project_id' | 'requested_ip' | 'device_index'>, now: Date): Omit<NetworkPort, 'id'> {
    return {
      uuid: p.uuid.toLowerCase(),
      network_uuid: p.network_uuid.toLowerCase(),
      container_uuid: p.container_uuid.toLowerCase(),
      project_id: p.project_id,
      fixed_ip: null,
      requested_ip: p.requested_ip,
      mac_address: null,
      host: null,
      device_index: p.device_index,
      preserve_on_delete: false,
      status: 'pending',
      created_at: now,
      updated_at: null,
    };
  }

  /**
   * Transaction body: inserts a port row. A network that is gone is NetworkNotFound; a second port of the
   * container on one network, or a taken port uuid, a Conflict; a taken address IpAddressInUse.
   */
  *insertPortTx(row: Omit<NetworkPort, 'id'>, network?: Network): TxBody<NetworkPort> {
    const insert = insertOf(this.ports, row);
    try {
      const res = yield* exec(insert.sql, insert.params);
      return { id: res.insertId, ...row };
    } catch (e) {
      if (isForeignKeyViolation(e)) {
        const [n] = yield* select(`SELECT \`id\` FROM ${this.networks.quotedTable} WHERE \`uuid\` = ?`, [row.network_uuid]);
        if (!n) throw networkNotFound(row.network_uuid);
        throw new ContainerNotFound(`Container ${row.container_uuid} could not be found.`);
      }
      if (!isUniqueViolation(e)) throw e;
      const [byUuid] = yield* select(`SELECT \`id\` FROM ${this.ports.quotedTable} WHERE \`uuid\` = ?`, [row.uuid]);
      if (byUuid) throw new Conflict(`A port with UUID ${row.uuid} already exists.`);
      if (row.fixed_ip !== null && network) {
        const [holder] = yield* select(`SELECT \`id\` FROM ${this.ports.quotedTable} WHERE \`network_uuid\` = ? AND \`fixed_ip\` = ?`, [row.network_uuid, row.fixed_ip]);
        if (holder) throw ipAddressInUse(row.fixed_ip, network);
      }
      throw new Conflict(`Container ${row.container_uuid} is already connected to network ${network?.name ?? row.network_uuid}.`);
    }
  }

  /** Transaction body: the pending ports of a new container, device_index = position in the plan. */
  *planPortsTx(owner: PortOwner, plan: PortPlan, now: Date): TxBody<NetworkPort[]> {
    const out: NetworkPort[] = [];
    for (const [i, p] of plan.ports.entries()) {
      const row = this.portRow(
        { uuid: p.port_uuid, network_uuid: p.network_uuid, container_uuid: owner.uuid, project_id: owner.project_id, requested_ip: p.requested_ip, device_index: i },
        now,
      );
      out.push(yield* this.insertPortTx(row));
    }
    return out;
  }

  /** Transaction body: the network, its row locked until commit on MariaDB; null when there is none. */
  *lockNetworkTx(uuid: string): TxBody<Network | null> {
    const [row] = yield* select(`${this.selectNetworks} WHERE \`uuid\` = ?${this.forUpdate}`, [uuid.toLowerCase()]);
    return row ? toNetwork(this.networks.decode(row)) : null;
  }

  /**
   * Transaction body: the address a new allocation on `network` gets, its row locked by the caller:
   * `requested` when it is a free host address of the subnet (IpAddressInUse when taken or the gateway,
   * InvalidValue when outside), else the lowest free one (NetworkExhausted when none is left).
   */
  *pickAddressTx(network: Network, requested: string | null): TxBody<string> {
    const subnet = parseIpv4Cidr(network.cidr);
    if (!subnet) throw new InvalidValue(`Network ${network.uuid} has an invalid CIDR ${network.cidr}.`);
    const rows = yield* select<{ fixed_ip: unknown }>(
      `SELECT \`fixed_ip\` FROM ${this.ports.quotedTable} WHERE \`network_uuid\` = ? AND \`fixed_ip\` IS NOT NULL`,
      [network.uuid],
    );
    const used = new Set(rows.map((r) => ipv4ToInt(String(r.fixed_ip))).filter((n): n is number => n !== null));
    if (requested !== null) {
      if (!isHostAddress(subnet, requested)) throw new InvalidValue(`IP address ${requested} is not a host address of network ${network.name} (${network.cidr}).`);
      const n = ipv4ToInt(requested);
      if (requested === network.gateway || (n !== null && used.has(n))) throw ipAddressInUse(requested, network);
      return requested;
    }
    const ip = lowestFreeHost(subnet, network.gateway, used);
    if (ip === null) throw networkExhausted(network);
    return ip;
  }

  /** Transaction body: every port of the container with its network, by device_index. */
  *portsOfTx(containerUuid: string): TxBody<PortWithNetwork[]> {
    const rows = yield* select(`${this.selectPorts} WHERE \`container_uuid\` = ? ORDER BY \`device_index\`, \`id\``, [containerUuid.toLowerCase()]);
    const ports = rows.map((r) => this.ports.decode(r));
    const networks = yield* this.networksByUuidTx(ports.map((p) => p.network_uuid));
    const out: PortWithNetwork[] = [];
    for (const port of ports) {
      const network = networks.get(port.network_uuid);
      if (network) out.push({ port, network });
    }
    return out;
  }

  /** Transaction body: the networks of these uuids, by uuid. */
  *networksByUuidTx(uuids: readonly string[]): TxBody<Map<string, Network>> {
    const ids = [...new Set(uuids)];
    if (!ids.length) return new Map();
    const rows = yield* select(`${this.selectNetworks} WHERE \`uuid\` IN (${ids.map(() => '?').join(', ')})`, ids);
    return new Map(rows.map((r) => toNetwork(this.networks.decode(r))).map((n) => [n.uuid, n]));
  }
}
