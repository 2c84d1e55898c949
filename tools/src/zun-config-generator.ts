// Prints a sample zun.conf with every section and option commented out, each with
// its help, type and default (the zun-ts counterpart of oslo-config-generator).
//   zun-config-generator [--output-file PATH]
import { writeFileSync } from 'node:fs';
import { renderSampleConfig } from '@zun-ts/config';

const USAGE = 'usage: zun-config-generator [--output-file PATH]\n';

function main(argv: string[]): number {
  let output: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (arg === '--output-file' || arg.startsWith('--output-file=')) {
      output = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[++i] ?? '');
      if (!output) {
        process.stderr.write(`--output-file needs a path\n${USAGE}`);
        return 2;
      }
      continue;
    }
    process.stderr.write(`unknown argument '${arg}'\n${USAGE}`);
    return 2;
  }
  const text = renderSampleConfig();
  if (output) writeFileSync(output, text);
  else process.stdout.write(text);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
