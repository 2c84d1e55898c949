export * from './volume-driver';
export * from './volume.errors';
export * from './volume-spec';
export * from './connection-info';
export * from './fake-volume.driver';
export * from './volume-driver.contract';
