export * from './container-driver';
export * from './console-streams';
export * from './container-naming';
export * from './container-status';
export * from './driver.errors';
export * from './image-reference';
export * from './pull-policy';
export * from './fake-container.driver';
