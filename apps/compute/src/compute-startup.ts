import { type Logger } from '@zun-ts/common';
import { errorText } from './conductor-api';

/** The steps of a compute host's start, each a thunk over the host's objects. */
export interface ComputeStartSteps {
  /** The console relay listens (zun-wsproxy connects to it). */
  listen(): Promise<void>;
  /** ContainerNetworks.recover: the networks of this host's ports ensured again (VXLAN devices, flood lists, filters). */
  recoverNetworks(): Promise<void>;
  /** ContainerOperations.recover: unfinished work of the previous run, volumes mounted again. */
  recover(): Promise<void>;
  /** The RPC server takes this host's messages. */
  serve(): Promise<void>;
  /** The engine event stream and the periodic tasks (state sync, resources). */
  startSync(): void;
}

/**
 * Starts a compute host in the order that keeps containers whole after a host restart: recovery first
 * (networks ensured again, then volumes mounted again, before anything can start a container or report its
 * state), then messages, then the sync. A recovery that fails is logged: the host still serves, and a start
 * ensures and mounts what it needs.
 */
export async function startCompute(steps: ComputeStartSteps, logger: Logger): Promise<void> {
  await steps.listen();
  await steps.recoverNetworks().catch((err: unknown) => logger.warn('start-up network recovery failed', { error: errorText(err) }));
  await steps.recover().catch((err: unknown) => logger.warn('start-up recovery failed', { error: errorText(err) }));
  await steps.serve();
  steps.startSync();
}
