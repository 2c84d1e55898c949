import { consoleTokenDigest, consoleTokenMatches, newConsoleToken } from '@zun-ts/common';

/** What a console session opens: the container's main process, or one interactive exec. */
export type ConsoleKind = 'attach' | 'exec';

/** The right to open one console session at this host's relay, minted by attach or an interactive exec. */
export interface ConsoleGrant {
  kind: ConsoleKind;
  /** The container uuid (attach) or the Docker exec id (exec). */
  target: string;
  containerUuid: string;
  /** Epoch ms after which no new session may be opened with it. */
  expiresAt: number;
}

/** Why the relay refused a session. */
export type ConsoleRefusal = 'unknown' | 'mismatch' | 'expired' | 'used';

/** Outcome of {@link ConsoleGrants.admit}. */
export type Admission = { ok: true; grant: ConsoleGrant } | { ok: false; refusal: ConsoleRefusal; reason: string };

interface Entry extends ConsoleGrant {
  digest: Buffer;
}

const key = (kind: ConsoleKind, target: string): string => `${kind}/${target}`;

/**
 * The console tokens this host minted, in memory only (a restarted host forgets them: the user attaches
 * again). A token opens exactly the one session it was minted for: an attach token the container's main
 * process (a new attach replaces the container's previous token, as in Zun), an exec token its exec, once
 * (Docker starts an exec only once). Tokens are valid for `ttlMs` to open a session; an open session is
 * never cut by the expiry.
 */
export class ConsoleGrants {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new random token for the session; replaces any earlier grant for the same session. */
  mint(kind: ConsoleKind, target: string, containerUuid: string): string {
    this.prune();
    const token = newConsoleToken();
    this.entries.set(key(kind, target), { kind, target, containerUuid, expiresAt: this.now() + this.ttlMs, digest: consoleTokenDigest(token) });
    return token;
  }

  /**
   * Checks a presented token for the session (constant-time). An admitted exec grant is consumed; an
   * attach grant stays usable until it expires or is replaced.
   */
  admit(kind: ConsoleKind, target: string, presented: string): Admission {
    const k = key(kind, target);
    const e = this.entries.get(k);
    if (!e) return { ok: false, refusal: 'unknown', reason: `No console session was granted for this ${kind === 'exec' ? 'exec' : 'container'}.` };
    if (!consoleTokenMatches(presented, e.digest)) return { ok: false, refusal: 'mismatch', reason: 'Invalid token.' };
    if (this.now() > e.expiresAt) {
      this.entries.delete(k);
      return { ok: false, refusal: 'expired', reason: 'The console token has expired: attach again.' };
    }
    if (kind === 'exec') this.entries.delete(k);
    const { digest: _digest, ...grant } = e;
    return { ok: true, grant };
  }

  /** Drops expired grants; called on every mint, so the table stays as small as the live tokens. */
  prune(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (now > e.expiresAt) this.entries.delete(k);
  }

  /** Number of grants held. */
  get size(): number {
    return this.entries.size;
  }
}
