import { BadRequest, type RequestContext } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { type ConductorClient } from '@zun-ts/rpc';
import { type ConsoleGrants } from './console-grants';
import { type ConsoleRelay } from './console-relay.server';

/** Where console sessions are recorded: the conductor (a compute host has no database access), by calls, so a token is handed out only once it is recorded. */
export type ConsoleConductorApi = Pick<ConductorClient, 'call'>;

/**
 * Mints console tokens for attach and interactive exec and records each session — its token and the relay
 * address its bytes come from — through the conductor, where zun-wsproxy looks them up.
 */
export class ComputeConsole {
  constructor(
    private readonly grants: Pick<ConsoleGrants, 'mint'>,
    private readonly relay: Pick<ConsoleRelay, 'sessionUrl'>,
    private readonly conductor: ConsoleConductorApi,
  ) {}

  /** A fresh token for the container's main process, replacing the previous one (`websocket_token`/`websocket_url`). */
  async attach(ctx: RequestContext, c: Container): Promise<{ token: string }> {
    if (!c.interactive) throw new BadRequest("Container doesn't support to be attached, please check the interactive set properly");
    const token = this.grants.mint('attach', c.uuid, c.uuid);
    await this.conductor.call('containerSave', ctx, {
      container_uuid: c.uuid,
      patch: { websocket_url: this.relay.sessionUrl('attach', c.uuid), websocket_token: token },
    });
    return { token };
  }

  /** A token for an interactive exec just created on the container; recorded as the exec's session. */
  async exec(ctx: RequestContext, c: Container, execId: string): Promise<string> {
    const token = this.grants.mint('exec', execId, c.uuid);
    await this.conductor.call('execInstanceCreate', ctx, { container_uuid: c.uuid, exec_id: execId, token, url: this.relay.sessionUrl('exec', execId) });
    return token;
  }
}
