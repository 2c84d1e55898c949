// `zun-manage registry reseal`: seals every stored registry password again with the current auth_encryption_key.
import { Conflict, type SecretBox, SecretUnreadable } from '@zun-ts/common';
import { type RegistryRepository } from '@zun-ts/db';

/** What a reseal did. */
export interface ResealOutcome {
  /** Sealed again with the current key. */
  resealed: number;
  /** Already sealed with the current key, or without a password. */
  current: number;
  /** Changed by someone else while this ran (already sealed by the API with the current key). */
  raced: number;
  /** uuids whose password no configured key opens: they stay as they are. */
  unreadable: string[];
}

/**
 * Opens every password sealed with an older key (one of `auth_encryption_previous_keys`) and seals it with the
 * current `auth_encryption_key`, one guarded write per row (a password changed meanwhile is left alone). Running it
 * again is harmless: rows already on the current key are skipped. Passwords are never printed.
 */
export async function resealRegistries(registries: Pick<RegistryRepository, 'all' | 'update'>, box: SecretBox): Promise<ResealOutcome> {
  const outcome: ResealOutcome = { resealed: 0, current: 0, raced: 0, unreadable: [] };
  for (const r of await registries.all()) {
    if (r.password === null || !box.isStale(r.password)) {
      outcome.current++;
      continue;
    }
    let plain: string;
    try {
      plain = box.open(r.password);
    } catch (e) {
      if (!(e instanceof SecretUnreadable)) throw e;
      outcome.unreadable.push(r.uuid);
      continue;
    }
    try {
      await registries.update(r.uuid, { password: box.seal(plain) }, { password: r.password });
      outcome.resealed++;
    } catch (e) {
      if (!(e instanceof Conflict)) throw e;
      outcome.raced++;
    }
  }
  return outcome;
}
