export * from './client';
export * from './errors';
export * from './types';
export * from './microversion';
export { type AuthOptions, type PasswordAuth, type TokenAuth, type CatalogEntry, endpointFromCatalog } from './auth';
export { type ClientOptions } from './transport';
export { ContainersApi } from './containers';
export { ServicesApi, HostsApi, QuotasApi, ImagesApi, RegistriesApi, NetworksApi, VolumesApi, CapsulesApi, type QuotaSet, type RegistryCreate } from './resources';
