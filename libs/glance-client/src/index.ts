export * from './glance.types';
export * from './glance.client';
export * from './keystone-password.auth';
export * from './glance.config';
