#!/usr/bin/env node
// Bundles each app (and the command-line tools) into dist/ with esbuild.
// Libraries are inlined through the tsconfig paths; npm packages stay external.
// Type checking is separate: `npm run typecheck` (tsc --noEmit).
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const wanted = process.argv.slice(2);

const entries = [];
for (const app of readdirSync(join(root, 'apps'))) {
  const main = join(root, 'apps', app, 'src', 'main.ts');
  if (existsSync(main)) entries.push({ name: app, in: main, out: join('apps', app, 'main') });
}
for (const file of existsSync(join(root, 'tools', 'src')) ? readdirSync(join(root, 'tools', 'src')) : []) {
  if (file.endsWith('.ts') && !file.endsWith('.spec.ts')) {
    const name = file.replace(/\.ts$/, '');
    entries.push({ name, in: join(root, 'tools', 'src', file), out: join('tools', name) });
  }
}
// The Kolla-style deployment tool (tools/deploy), and kolla_set_configs and
// kolla_healthcheck, which run inside the service images with node built-ins only.
for (const [name, file] of [['zun-kolla', 'main.ts'], ['kolla_set_configs', 'set-configs/main.ts'], ['kolla_healthcheck', 'healthcheck/main.ts']]) {
  entries.push({ name, in: join(root, 'tools', 'deploy', 'src', file), out: join('tools', name) });
}
const selected = wanted.length ? entries.filter((e) => wanted.includes(e.name)) : entries;

await build({
  entryPoints: selected.map((e) => ({ in: e.in, out: e.out })),
  outdir: join(root, 'dist'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  tsconfig: join(root, 'tsconfig.base.json'),
  logLevel: 'warning',
});
console.log(`built ${selected.map((e) => e.out).join(', ')}`);
