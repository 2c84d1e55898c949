#!/usr/bin/env node
// Bundles each app (and the command-line tools) into dist/ with esbuild.
// Libraries are inlined through the tsconfig paths; npm packages stay external.
// Type checking is separate: `npm run typecheck` (tsc --noEmit).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
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
// Example plug-ins (examples/<name>), bundled beside their package.json as its main (dist/index.js).
const examples = [];
for (const name of existsSync(join(root, 'examples')) ? readdirSync(join(root, 'examples')) : []) {
  const index = join(root, 'examples', name, 'src', 'index.ts');
  if (existsSync(index)) examples.push({ name, in: index, out: join(root, 'examples', name, 'dist', 'index.js') });
}
const selected = wanted.length ? entries.filter((e) => wanted.includes(e.name)) : entries;

if (selected.length) await build({
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
for (const e of wanted.length ? examples.filter((x) => wanted.includes(x.name)) : examples) {
  await build({ entryPoints: [e.in], outfile: e.out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', tsconfig: join(root, 'tsconfig.base.json'), logLevel: 'warning' });
  selected.push({ out: `examples/${e.name}/dist/index.js` });
}
// The web console (apps/api/web) for browsers: one ES module, its page and styles, xterm.js's stylesheet.
// Node built-ins that the shared libraries import for their server-side parts become empty modules.
if (!wanted.length || wanted.includes('dashboard')) {
  const web = join(root, 'apps', 'api', 'web');
  const out = join(root, 'dist', 'dashboard');
  const nodeBuiltins = {
    name: 'node-builtins-empty',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-builtin' }));
      b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    },
  };
  await build({
    entryPoints: [join(web, 'main.ts')],
    outfile: join(out, 'main.js'),
    bundle: true,
    platform: 'browser',
    target: ['es2022'],
    format: 'esm',
    minify: true,
    sourcemap: true,
    tsconfig: join(web, 'tsconfig.json'),
    plugins: [nodeBuiltins],
    logLevel: 'warning',
  });
  mkdirSync(out, { recursive: true });
  copyFileSync(join(web, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(web, 'style.css'), join(out, 'style.css'));
  copyFileSync(join(root, 'node_modules', '@xterm', 'xterm', 'css', 'xterm.css'), join(out, 'xterm.css'));
  selected.push({ out: 'dashboard' });
}
console.log(`built ${selected.map((e) => e.out).join(', ')}`);
