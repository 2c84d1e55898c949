// Entry of the bundled kolla_healthcheck (dist/tools/kolla_healthcheck.js), run by the images' node.
import { runHealthcheck } from './cli';

void runHealthcheck(process.argv.slice(2), (line) => console.log(line)).then((code) => {
  process.exitCode = code;
});
