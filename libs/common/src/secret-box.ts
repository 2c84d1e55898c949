import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError, ZunError } from './errors';

/** A sealed secret could not be opened: no configured key made it, or it was altered. */
export class SecretUnreadable extends ZunError {
  readonly status = 500;
}

/** `[DEFAULT] auth_encryption_key` is missing or too weak to use. */
export class InvalidEncryptionKey extends ZunError {
  readonly status = 500;
}

/** Shortest key accepted (characters); Zun's own default is 32 characters long. */
export const MIN_ENCRYPTION_KEY_LENGTH = 32;

const PREFIX = 'zun1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface DerivedKey {
  id: string;
  key: Buffer;
}

function derive(secret: string): DerivedKey {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('zun-ts'), Buffer.from('secret-box v1'), 32));
  const id = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return { id, key };
}

function checkKey(secret: string | null | undefined, option: string): string {
  if (secret === null || secret === undefined || secret === '') {
    throw new InvalidEncryptionKey(`${option} is not set: registry passwords cannot be stored or read without it`);
  }
  if (secret.length < MIN_ENCRYPTION_KEY_LENGTH) {
    throw new InvalidEncryptionKey(`${option} must be at least ${MIN_ENCRYPTION_KEY_LENGTH} characters long`);
  }
  return secret;
}

/**
 * Authenticated encryption (AES-256-GCM) of short secrets such as registry passwords, with the key of
 * `[DEFAULT] auth_encryption_key`. A sealed text names the key that made it (`zun1:<key id>:<iv>:<tag>:<data>`),
 * so keys can be rotated: open() also accepts the `previous` keys, seal() always uses the current one.
 * There is no plaintext fallback: a value that does not open is an error.
 */
export class SecretBox {
  private readonly current: DerivedKey;
  private readonly keys: Map<string, Buffer>;

  /** @throws InvalidEncryptionKey when the key is missing or shorter than {@link MIN_ENCRYPTION_KEY_LENGTH}. */
  constructor(key: string | null | undefined, previous: readonly string[] = []) {
    this.current = derive(checkKey(key, 'auth_encryption_key'));
    this.keys = new Map([[this.current.id, this.current.key]]);
    for (const old of previous) {
      const d = derive(checkKey(old, 'auth_encryption_previous_keys'));
      if (!this.keys.has(d.id)) this.keys.set(d.id, d.key);
    }
  }

  /** Id of the current key (first 8 hex of a hash of the derived key; reveals nothing of it). */
  get keyId(): string {
    return this.current.id;
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: TAG_BYTES });
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const b64 = (b: Buffer): string => b.toString('base64url');
    return [PREFIX, this.current.id, b64(iv), b64(cipher.getAuthTag()), b64(data)].join(':');
  }

  /** @throws SecretUnreadable when no configured key made `sealed` or it was altered. */
  open(sealed: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 5 || parts[0] !== PREFIX) throw new SecretUnreadable('The stored secret is not in a sealed form');
    const [, keyId, iv, tag, data] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new SecretUnreadable(`The stored secret was sealed with key ${keyId}, which is not configured (auth_encryption_key)`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadable(`The stored secret does not open with key ${keyId}: it was altered`);
    }
  }

  /** True when `sealed` was made with an older key (a rotation should seal it again). */
  isStale(sealed: string): boolean {
    return sealed.split(':')[1] !== this.current.id;
  }
}

/** The `[DEFAULT]` options a {@link SecretBox} is made from. */
export interface SecretBoxOptions {
  auth_encryption_key: string | null;
  auth_encryption_previous_keys: readonly string[];
}

/**
 * The SecretBox of `[DEFAULT] auth_encryption_key` and its previous keys, for a service's start-up: a missing or
 * short key is a ConfigError naming the option, which stops the service (there is no plaintext fallback).
 */
export function secretBoxFromOptions(opts: SecretBoxOptions): SecretBox {
  try {
    return new SecretBox(opts.auth_encryption_key, opts.auth_encryption_previous_keys);
  } catch (e) {
    if (e instanceof InvalidEncryptionKey) throw new ConfigError(`[DEFAULT] ${e.message}`);
    throw e;
  }
}
