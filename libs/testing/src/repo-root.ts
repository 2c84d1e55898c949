import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The repository's root folder (the one holding nx.json), found from this file's location. */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${__dirname}: is @zun-ts/testing used outside the repository?`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
