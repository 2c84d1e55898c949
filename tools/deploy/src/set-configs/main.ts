// Entry of the bundled kolla_set_configs (dist/tools/kolla_set_configs.js), run
// by the images' node. The config path is fixed: nothing on the command line or
// in the environment can point this root process at another file.
import { runSetConfigs } from './cli';

process.exitCode = runSetConfigs(process.argv.slice(2), process.env);
