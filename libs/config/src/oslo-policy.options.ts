import { list, section, str } from './option.dsl';

/** `[oslo_policy]`: where operators override the default API access rules. */
export const osloPolicySection = section('oslo_policy', 'API access rules.', {
  policy_file: str({
    default: 'policy.yaml',
    help: 'YAML file of rules overriding the defaults. A relative path is looked up next to the configuration files.',
  }),
  policy_dirs: list({
    default: ['policy.d'],
    help: 'Directories whose *.yaml files are read after policy_file, in name order; later rules win.',
  }),
});
