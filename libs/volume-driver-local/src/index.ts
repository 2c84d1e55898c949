export * from './driver-contract';
export * from './local-volume.driver';
export * from './local-layout';
export * from './host-command';
export * from './mountinfo';
export * from './loop-devices';
export * from './fs-signature';
