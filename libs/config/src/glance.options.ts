import { enumOf, int, list, secret, section, str } from './option.dsl';

/**
 * `[glance]`: how zun-api and zun-compute reach Glance, the image service (image_driver glance, zun commit). The
 * API acts on images with the caller's token; the compute holds no user token, so it logs in as the service user
 * below. Unset credentials fall back to those of `[keystone_authtoken]` (the zun service user).
 */
export const glanceSection = section('glance', 'Glance, the image service (image_driver glance and zun commit).', {
  api_servers: list({
    default: [],
    help: 'Glance URLs (http://host:9292) to use instead of the endpoint the Keystone catalog lists; the first is used. ' +
      'Empty: the catalog endpoint of type image.',
  }),
  endpoint_type: enumOf(['public', 'internal', 'admin', 'publicURL', 'internalURL', 'adminURL'], {
    default: 'public',
    help: 'Interface of the catalog endpoint to use (Zun\'s publicURL, internalURL and adminURL are accepted). ' +
      'Kolla-style deployments use internal.',
  }),
  region_name: str({ default: null, help: 'Region of the catalog endpoint. Unset: [keystone_authtoken] region_name, else any region.' }),
  auth_url: str({ default: null, help: 'Keystone the service user logs in to. Unset: [keystone_authtoken] auth_url.' }),
  username: str({ default: null, help: 'Service user zun-compute acts as on Glance (admin role). Unset: [keystone_authtoken] username.' }),
  password: secret(str({ default: null, help: 'Password of the service user. Unset: [keystone_authtoken] password.' })),
  project_name: str({ default: null, help: 'Project of the service user. Unset: [keystone_authtoken] project_name.' }),
  user_domain_name: str({ default: null, help: 'Domain of the service user. Unset: [keystone_authtoken] user_domain_name.' }),
  project_domain_name: str({ default: null, help: 'Domain of project_name. Unset: [keystone_authtoken] project_domain_name.' }),
  timeout: int({
    default: 60,
    min: 1,
    unit: 'seconds',
    help: 'Seconds to wait for Glance to start answering a request (image data then streams without a bound).',
  }),
});
