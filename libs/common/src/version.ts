import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The version in the nearest package.json named zun-ts above `from`, or null. */
export function packageVersion(from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'zun-ts' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // not JSON: look further up
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The release this process runs: `ZUN_VERSION` (set in the images by `zun-kolla build --version`), else the
 * version of the zun-ts package.json above this code or the working directory, else "unknown".
 */
export function zunVersion(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['ZUN_VERSION']?.trim();
  if (fromEnv) return fromEnv;
  cached ??= packageVersion(__dirname) ?? packageVersion(process.cwd()) ?? 'unknown';
  return cached;
}
