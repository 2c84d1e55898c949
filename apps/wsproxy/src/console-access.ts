import { injectable } from 'inversify';

/** What a client asks for when it opens a console socket (from the URL query). */
export interface ConsoleRequest {
  token: string;
  /** Container UUID (or name). */
  uuid: string;
  /** Set for an interactive exec; absent for attach. */
  execId: string | null;
}

export type ConsoleDecision = { ok: true } | { ok: false; reason: string };

/** Decides whether a console token opens the requested container's console. */
export interface ConsoleAccess {
  authorize(req: ConsoleRequest): Promise<ConsoleDecision>;
}

export const CONSOLE_ACCESS = Symbol.for('zun.wsproxy.ConsoleAccess');

/**
 * Refuses every token: consoles need the container's stored token, which the
 * proxy will ask the conductor for once attach/exec are implemented (the proxy
 * holds no database credentials).
 */
@injectable()
export class NoConsoleAccess implements ConsoleAccess {
  async authorize(_req: ConsoleRequest): Promise<ConsoleDecision> {
    return { ok: false, reason: 'Invalid token: console access is not available yet.' };
  }
}
