export * from './registry';
export * from './labels';
export * from './metrics.server';
export * from './catalog';
