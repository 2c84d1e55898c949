import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header carrying a console token from zun-wsproxy to a compute host's console relay (never in a URL, so never in a log). */
export const CONSOLE_RELAY_TOKEN_HEADER = 'x-zun-console-token';
/** Header of an upgrade the console relay refused, saying why (zun-wsproxy passes it on to the client). */
export const CONSOLE_RELAY_REASON_HEADER = 'x-zun-console-reason';

/** A fresh console token: 32 random bytes as 64 lowercase hex digits. */
export function newConsoleToken(): string {
  return randomBytes(32).toString('hex');
}

/** SHA-256 of a token, for storing and comparing it without keeping its length or text around. */
export function consoleTokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Whether `presented` equals the token whose {@link consoleTokenDigest} is `expected`, in time that does not
 * depend on where (or whether) they differ, nor on the presented token's length.
 */
export function consoleTokenMatches(presented: string, expected: Buffer | string): boolean {
  const want = typeof expected === 'string' ? consoleTokenDigest(expected) : expected;
  const got = consoleTokenDigest(presented);
  return want.length === got.length && timingSafeEqual(got, want);
}
