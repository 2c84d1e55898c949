import { field, type ObjectDef } from './fields';

/**
 * A project network: one IPv4 subnet that spans every compute host (ADR 0007). Containers of its project
 * (and of every project when `shared`) attach to it through ports. `segmentation_id` (the VXLAN VNI) and
 * `cidr` are unique across the cloud; both are allocated by the database, never by a host.
 */
export interface Network {
  id: number;
  uuid: string;
  name: string;
  project_id: string | null;
  user_id: string | null;
  /** IPv4 CIDR, e.g. `10.200.3.0/24`. */
  cidr: string;
  gateway: string;
  /** Zun's `subnet_id` of the addresses on this network. */
  subnet_id: string;
  /** Admin-shared (Neutron's `shared`): every project may attach containers to it. */
  shared: boolean;
  /** Containers reach the outside through their host's NAT. */
  nat_egress: boolean;
  segmentation_id: number;
  /** The project's default network (made on its first container without `nets`); at most one per project. */
  is_default: boolean;
  /** The mechanism that realises it (`vxlan`). */
  driver: string;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const NetworkObject: ObjectDef<Network, 'Network'> = {
  name: 'Network',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    name: field.string(),
    project_id: field.string({ nullable: true }),
    user_id: field.string({ nullable: true }),
    cidr: field.string(),
    gateway: field.string(),
    subnet_id: field.string(),
    shared: field.boolean({ default: false }),
    nat_egress: field.boolean({ default: true }),
    segmentation_id: field.integer(),
    is_default: field.boolean({ default: false }),
    driver: field.string(),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};

/**
 * Where a port stands: `pending` (requested, no address yet), `allocated` (address held, not plugged yet),
 * `bound` (plugged into the container on `host`), `detaching` (being unplugged; the row goes afterwards).
 */
export const PORT_STATUSES = ['pending', 'allocated', 'bound', 'detaching'] as const;
export type PortStatus = (typeof PORT_STATUSES)[number];

/** One NIC of a container on a network (Neutron's port). The unique (network, fixed_ip) index keeps addresses apart. */
export interface NetworkPort {
  id: number;
  uuid: string;
  network_uuid: string;
  container_uuid: string;
  project_id: string | null;
  /** The address, once allocated; null while `pending`. */
  fixed_ip: string | null;
  /** The address the user asked for (`v4-fixed-ip`, `--fixed-ip`); null: any free one. */
  requested_ip: string | null;
  mac_address: string | null;
  /** The compute host the port is plugged on; null until it is. */
  host: string | null;
  /** Order of the container's networks (0 is plugged at `docker create`). */
  device_index: number;
  preserve_on_delete: boolean;
  status: PortStatus;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const NetworkPortObject: ObjectDef<NetworkPort, 'NetworkPort'> = {
  name: 'NetworkPort',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    network_uuid: field.string(),
    container_uuid: field.string(),
    project_id: field.string({ nullable: true }),
    fixed_ip: field.string({ nullable: true }),
    requested_ip: field.string({ nullable: true }),
    mac_address: field.string({ nullable: true }),
    host: field.string({ nullable: true }),
    device_index: field.integer({ default: 0 }),
    preserve_on_delete: field.boolean({ default: false }),
    status: field.enum(PORT_STATUSES),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
