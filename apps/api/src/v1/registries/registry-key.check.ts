import { ConfigError, type SecretBox, secretBoxFromOptions, SecretUnreadable } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type RegistryRepository } from '@zun-ts/db';

/**
 * The SecretBox of `[DEFAULT] auth_encryption_key` (and its previous keys), or a ConfigError that stops the
 * service: without a usable key registry passwords can be neither written nor read, and there is no plaintext fallback.
 */
export function secretBoxFromConf(conf: Pick<ZunConf, 'DEFAULT'>): SecretBox {
  return secretBoxFromOptions(conf.DEFAULT);
}

/**
 * Start-up check of zun-api: the key is usable and opens every stored registry password. A key that does not (a
 * wrong key after a configuration mistake) stops the API before it serves a request. Only the key ids are named.
 */
export async function checkRegistryKey(conf: Pick<ZunConf, 'DEFAULT'>, registries: Pick<RegistryRepository, 'all'>): Promise<void> {
  const box = secretBoxFromConf(conf);
  for (const r of await registries.all()) {
    if (r.password === null) continue;
    try {
      box.open(r.password);
    } catch (e) {
      if (!(e instanceof SecretUnreadable)) throw e;
      throw new ConfigError(
        `[DEFAULT] auth_encryption_key does not open the stored password of registry ${r.uuid} (${e.message}). ` +
          'Configure the key it was sealed with, or list that key in auth_encryption_previous_keys.',
      );
    }
  }
}
