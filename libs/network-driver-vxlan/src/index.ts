export * from './host-commands';
export * from './vxlan-devices';
export * from './vxlan-naming';
export * from './vxlan-network.driver';
