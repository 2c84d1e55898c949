import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { adminContext, consoleTokenMatches, LOGGER, type Logger, ZunError } from '@zun-ts/common';
import { type ConductorClient } from '@zun-ts/rpc';
import { CONDUCTOR_CONSOLE_API } from './tokens';

/** What a client asks for when it opens a console socket (from the URL query). */
export interface ConsoleRequest {
  token: string;
  /** Container UUID (or name). */
  uuid: string;
  /** Set for an interactive exec; absent for attach. */
  execId: string | null;
  /** Of the proxy's connection, carried to the conductor and the relay for the logs. */
  requestId: string;
}

/** Where an authorized console's bytes come from. */
export interface ConsoleTarget {
  containerUuid: string;
  /** The compute host's console relay address of the session. */
  relayUrl: string;
  /** The token to present to the relay (the one the client presented, now known to match). */
  token: string;
}

export type ConsoleDecision = { ok: true; target: ConsoleTarget } | { ok: false; reason: string };

/** Decides whether a console token opens the requested container's console. */
export interface ConsoleAccess {
  authorize(req: ConsoleRequest): Promise<ConsoleDecision>;
}

export const CONSOLE_ACCESS: ServiceIdentifier<ConsoleAccess> = Symbol.for('zun.wsproxy.ConsoleAccess');

/** The conductor call the proxy makes (it holds no database credentials). */
export type ConductorConsoleApi = Pick<ConductorClient, 'call'>;

/** Every refusal looks the same to the client: which part failed is only logged. */
const INVALID = 'Invalid token.';

/**
 * Checks a console token against the session the conductor has on record — the container's
 * `websocket_token`, or the token of one of its exec sessions — in constant time. A token therefore opens
 * only the container (and exec) it was minted for, and only while it is the current one.
 */
@injectable()
export class ConductorConsoleAccess implements ConsoleAccess {
  constructor(
    @inject(CONDUCTOR_CONSOLE_API) private readonly conductor: ConductorConsoleApi,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  async authorize(req: ConsoleRequest): Promise<ConsoleDecision> {
    const log = this.logger.child({ requestId: req.requestId });
    let stored;
    try {
      stored = await this.conductor.call('consoleTarget', adminContext(req.requestId), { container: req.uuid, exec_id: req.execId });
    } catch (err) {
      // No such container, or a name several containers share.
      if (err instanceof ZunError && err.status < 500) {
        log.info('console refused: container not found', { container: req.uuid, error: err.message });
        return { ok: false, reason: INVALID };
      }
      throw err;
    }
    if (stored.token === null || stored.url === null) {
      log.info('console refused: no session on record', { containerUuid: stored.container_uuid, execId: req.execId });
      return { ok: false, reason: INVALID };
    }
    if (!consoleTokenMatches(req.token, stored.token)) {
      log.info('console refused: token mismatch', { containerUuid: stored.container_uuid, execId: req.execId });
      return { ok: false, reason: INVALID };
    }
    return { ok: true, target: { containerUuid: stored.container_uuid, relayUrl: stored.url, token: req.token } };
  }
}
