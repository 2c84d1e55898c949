import { availableParallelism } from 'node:os';
import { bool, enumOf, int, list, port, section, str } from './option.dsl';

/** `[api]`: the REST API service. */
export const apiSection = section('api', 'The zun-api service (REST API).', {
  host_ip: str({ default: '0.0.0.0', help: 'Address the API listens on.' }),
  port: port({ default: 9517, help: 'TCP port the API listens on.' }),
  workers: int({
    default: () => Math.max(1, availableParallelism()),
    sampleDefault: '<number of CPUs>',
    min: 1,
    help: 'Number of API worker processes.',
  }),
  max_limit: int({
    default: 1000,
    min: 1,
    help: 'Largest number of items one list request returns, whatever limit the client asks for.',
  }),
  api_paste_config: str({
    default: 'api-paste.ini',
    help: 'The pipeline file (an api-paste.ini analog) naming the API filters in order; a relative name is looked ' +
      'up beside the configuration files, and the built-in default is used when the default name is found nowhere.',
  }),
  auth_strategy: enumOf(['keystone', 'noauth'], {
    default: 'keystone',
    help: 'How requests are authenticated: keystone validates the X-Auth-Token header against Keystone; noauth ' +
      'trusts every request (testing only).',
  }),
  enable_proxy_headers_parsing: bool({
    default: false,
    help: 'Trust X-Forwarded-* headers set by a proxy in front of the API when building links.',
  }),
  max_request_body_size: int({
    default: 114688,
    min: 1,
    unit: 'bytes',
    help: 'Largest accepted request body; bigger requests are refused with 413.',
  }),
  cors_allowed_origin: list({
    default: [],
    help: 'Origins allowed to make cross-origin requests (e.g. https://dashboard.example.com). Empty: CORS off.',
  }),
  cors_allow_credentials: bool({
    default: true,
    help: 'Whether cross-origin requests may carry credentials.',
  }),
  enable_image_validation: bool({
    default: true,
    help: 'Refuse at once (400) a create whose image no relevant registry (or Glance) has, instead of letting it ' +
      'fail later on the host. A registry that cannot be reached does not refuse the create.',
  }),
});
