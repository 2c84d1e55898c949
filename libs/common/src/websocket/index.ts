export * from './close-codes';
export * from './frame-tracker';
export * from './handshake';
export * from './splice';
