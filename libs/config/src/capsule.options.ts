import { enumOf, section, str } from './option.dsl';

/** `[capsule]`: the sandbox that holds the shared namespaces of a capsule's containers. */
export const capsuleSection = section('capsule', 'Capsules: groups of containers sharing a sandbox.', {
  sandbox_image: str({
    default: 'kubernetes/pause:3.0',
    help: 'Image of the sandbox container of each capsule: it holds the network, IPC and PID namespaces the ' +
      'capsule\'s containers join and must run until stopped (tools/images/build-pause.sh builds one). Resolved ' +
      'like any image name, so with [docker] default_registry set an unqualified name is pulled from there.',
  }),
  sandbox_image_driver: enumOf(['docker'], {
    default: 'docker',
    help: 'Where the sandbox image comes from.',
  }),
  sandbox_image_pull_policy: enumOf(['always', 'ifnotpresent', 'never'], {
    default: 'ifnotpresent',
    help: 'When compute hosts pull the sandbox image: always, only when the host lacks it, or never.',
  }),
});
