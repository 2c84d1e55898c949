export * from './network-driver';
export * from './network.errors';
export * from './ipv4';
export * from './fake-network.driver';
