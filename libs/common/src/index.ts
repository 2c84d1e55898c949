export * from './errors';
export * from './context';
export * from './logger';
export * from './console-token';
export * from './shell-words';
export * from './keyed-lock';
export * from './uuid';
export * from './ipv4';
