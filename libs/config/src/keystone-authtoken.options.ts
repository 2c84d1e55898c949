import { bool, int, secret, section, str } from './option.dsl';

/** `[keystone_authtoken]`: token validation by the API and the service credentials used for it. */
export const keystoneAuthtokenSection = section('keystone_authtoken', 'Keystone token validation (used when [api] auth_strategy = keystone).', {
  www_authenticate_uri: str({
    default: null,
    help: 'Public Keystone endpoint announced to unauthenticated clients in the WWW-Authenticate header.',
  }),
  auth_url: str({ default: null, help: 'Keystone endpoint the service user authenticates against, e.g. http://keystone:5000/v3.' }),
  auth_type: str({ default: 'password', help: 'Authentication method of the service user.' }),
  username: str({ default: null, help: 'Service user name (it needs the service or admin role to validate tokens).' }),
  password: secret(str({ default: null, help: 'Password of the service user.' })),
  project_name: str({ default: null, help: 'Project the service user scopes its token to.' }),
  user_domain_name: str({ default: 'Default', help: 'Domain of the service user.' }),
  project_domain_name: str({ default: 'Default', help: 'Domain of project_name.' }),
  region_name: str({ default: null, help: 'Region of the identity service endpoint.' }),
  token_cache_time: int({
    default: 300,
    min: 0,
    unit: 'seconds',
    help: 'Seconds a validated token is remembered before asking Keystone again (0: no cache).',
  }),
  http_connect_timeout: int({
    default: 10,
    min: 1,
    unit: 'seconds',
    help: 'Seconds to wait for Keystone to answer.',
  }),
  delay_auth_decision: bool({
    default: false,
    help: 'Pass requests with a missing or invalid token on, marked unauthenticated, instead of refusing them.',
  }),
});
