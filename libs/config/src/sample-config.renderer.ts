import { type OptionDescription, type SectionDescription, describeOptions } from './zun-conf';

const WIDTH = 70;

function wrap(text: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function renderOption(section: SectionDescription, o: OptionDescription): string[] {
  const out = wrap(`${o.help} (${o.kind} value)`).map((l) => `# ${l}`);
  if (o.choices) out.push(`# Possible values: ${o.choices.join(', ')}`);
  if (o.kind !== 'port') {
    if (o.min !== undefined) out.push(`# Minimum value: ${o.min}`);
    if (o.max !== undefined) out.push(`# Maximum value: ${o.max}`);
  }
  if (o.unit) out.push(`# Unit: ${o.unit}`);
  if (o.secret) out.push('# Secret: never logged.');
  out.push(`# Environment: ZUN_${section.name.toUpperCase()}__${o.name.toUpperCase()}`);
  out.push(o.defaultText === '' ? `#${o.name} =` : `#${o.name} = ${o.defaultText}`);
  return out;
}

/**
 * A sample zun.conf listing every section and option, each commented out with its
 * help, type and default (what `zun-config-generator` prints).
 */
export function renderSampleConfig(sections: SectionDescription[] = describeOptions()): string {
  const out: string[] = [
    '# Sample zun.conf for zun-ts.',
    '#',
    ...wrap(
      'Every option is commented out and shows its default. Uncomment a line to change it. A value may ' +
        'refer to another option of its section or of [DEFAULT] as $option ($$ is a literal $). Sources, ' +
        'lowest precedence first: defaults, --config-file files in order, *.conf files of --config-dir in ' +
        'name order, environment variables ZUN_<SECTION>__<OPTION>, command-line options --section.option=value.',
    ).map((l) => `# ${l}`),
  ];
  for (const s of sections) {
    out.push('', `[${s.name}]`, '', '#', ...wrap(s.help).map((l) => `# ${l}`), '#');
    for (const o of s.options) out.push('', ...renderOption(s, o));
  }
  return `${out.join('\n')}\n`;
}
