export * from './image-reference';
export * from './registry-client';
export * from './registry-search';
