import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root';

const run = promisify(execFile);
let built: Promise<string> | undefined;

/**
 * The directory of the repository's example plug-in (examples/zun-plugin-example), its `dist/index.js` built from
 * its sources when missing or older than them; what a test puts in `[DEFAULT] plugin_paths`.
 */
export function examplePluginDir(): Promise<string> {
  built ??= (async () => {
    const dir = join(repoRoot(), 'examples', 'zun-plugin-example');
    const out = join(dir, 'dist', 'index.js');
    const newest = Math.max(...readdirSync(join(dir, 'src')).map((f) => statSync(join(dir, 'src', f)).mtimeMs));
    if (!existsSync(out) || statSync(out).mtimeMs < newest) {
      await run(process.execPath, ['tools/build.mjs', 'zun-plugin-example'], { cwd: repoRoot(), timeout: 120_000 });
    }
    return dir;
  })();
  return built;
}
