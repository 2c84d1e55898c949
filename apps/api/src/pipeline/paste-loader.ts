import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ConfigError, type Logger } from '@zun-ts/common';
import { DEFAULT_API_PASTE, type PasteConfig, parsePasteConfig } from './paste-config';

/** The name `[api] api_paste_config` has by default; only this one may be absent. */
export const DEFAULT_PASTE_NAME = 'api-paste.ini';

/**
 * Reads `[api] api_paste_config`: an absolute path, or a name looked up in the
 * configuration directories. When the default name is found nowhere the built-in
 * pipelines (identical to etc/api-paste.ini) are used; any other missing file is an error.
 */
export function loadPasteConfig(name: string, searchDirs: readonly string[], logger: Logger): PasteConfig {
  const candidates = isAbsolute(name) ? [name] : searchDirs.map((d) => join(d, name));
  const found = candidates.find((p) => existsSync(p));
  if (found) return parsePasteConfig(readFileSync(found, 'utf8'), found, dirname(found));
  if (name !== DEFAULT_PASTE_NAME) {
    throw new ConfigError(`[api] api_paste_config: ${name} not found${isAbsolute(name) ? '' : ` in ${searchDirs.join(', ')}`}`);
  }
  logger.info('no api-paste.ini found; using the built-in pipelines', { searched: candidates });
  return parsePasteConfig(DEFAULT_API_PASTE, 'built-in api-paste.ini');
}
