import { type Network, type NetworkPort } from '@zun-ts/objects';
import { col, entity, stamps } from './entity-helpers';

/**
 * A stored network row: the {@link Network} and `default_project`, the project whose default network it is
 * (else NULL). Its unique index holds at most one default network per project (NULLs never collide).
 */
export type NetworkRow = Network & { default_project: string | null };

/**
 * network: project networks (ADR 0007). `uuid`, `cidr` and `segmentation_id` are unique cloud-wide; CIDR
 * overlaps are checked by the repository under a lock, the unique indexes are the last line of defence.
 */
export const NetworkEntity = entity<NetworkRow>(
  'Network',
  'network',
  {
    id: col.id(),
    uuid: col.varchar(false, 36),
    name: col.varchar(false),
    project_id: col.varchar(true),
    user_id: col.varchar(true),
    cidr: col.varchar(false, 64),
    gateway: col.varchar(false, 64),
    subnet_id: col.varchar(false, 36),
    shared: col.bool(),
    nat_egress: col.bool(),
    segmentation_id: col.int(false),
    is_default: col.bool(),
    default_project: col.varchar(true),
    driver: col.varchar(false, 36),
    ...stamps,
  },
  {
    indices: [
      { name: 'uniq_network0uuid', columns: ['uuid'], unique: true },
      { name: 'uniq_network0cidr', columns: ['cidr'], unique: true },
      { name: 'uniq_network0segmentation_id', columns: ['segmentation_id'], unique: true },
      { name: 'uniq_network0default_project', columns: ['default_project'], unique: true },
      { name: 'network_project_id_idx', columns: ['project_id'] },
      { name: 'network_name_idx', columns: ['name'] },
    ],
  },
);

/**
 * network_port: one NIC of a container on a network. (network_uuid, fixed_ip) is unique, so two ports never
 * hold one address (a NULL fixed_ip, a pending port, repeats freely); (container_uuid, network_uuid) is unique,
 * so a container is on a network at most once. Deleting the container deletes its ports; a network with ports
 * cannot be deleted.
 */
export const NetworkPortEntity = entity<NetworkPort>(
  'NetworkPort',
  'network_port',
  {
    id: col.id(),
    uuid: col.varchar(false, 36),
    network_uuid: col.varchar(false, 36),
    container_uuid: col.varchar(false, 36),
    project_id: col.varchar(true),
    fixed_ip: col.varchar(true, 64),
    requested_ip: col.varchar(true, 64),
    mac_address: col.varchar(true, 32),
    host: col.varchar(true),
    device_index: col.int(false, 0),
    preserve_on_delete: col.bool(),
    status: { type: 'varchar', length: 20, nullable: false, default: 'pending' },
    ...stamps,
  },
  {
    indices: [
      { name: 'uniq_network_port0uuid', columns: ['uuid'], unique: true },
      { name: 'uniq_network_port0network_uuid0fixed_ip', columns: ['network_uuid', 'fixed_ip'], unique: true },
      { name: 'uniq_network_port0container_uuid0network_uuid', columns: ['container_uuid', 'network_uuid'], unique: true },
      { name: 'network_port_container_uuid_idx', columns: ['container_uuid'] },
      { name: 'network_port_host_idx', columns: ['host'] },
    ],
    foreignKeys: [
      {
        name: 'fk_network_port_container_uuid',
        target: 'Container',
        columnNames: ['container_uuid'],
        referencedColumnNames: ['uuid'],
        onDelete: 'CASCADE',
      },
      {
        name: 'fk_network_port_network_uuid',
        target: 'Network',
        columnNames: ['network_uuid'],
        referencedColumnNames: ['uuid'],
        onDelete: 'RESTRICT',
      },
    ],
  },
);
