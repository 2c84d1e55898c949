export * from './container-driver';
export * from './console-streams';
export * from './container-naming';
export * from './container-status';
export * from './driver.errors';
export * from './image-driver';
// Image reference parsing lives in @zun-ts/image-registry (the API validates images the way hosts resolve them).
export { type ImageReference, type ImageResolveOptions, parseImageReference, resolveImage, type ResolvedImage } from '@zun-ts/image-registry';
export * from './pull-policy';
export * from './fake-container.driver';
