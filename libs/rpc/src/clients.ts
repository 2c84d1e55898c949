import { type CallName, type CastName, type DArgs, type DResult } from './contract.types';
import { type COMPUTE } from './contracts/compute.contract';
import { type CONDUCTOR } from './contracts/conductor.contract';
import { type SCHEDULER } from './contracts/scheduler.contract';
import { type TopicClient } from './rpc.client';

/** A client of the conductor topic (`rpcClient(transport, CONDUCTOR)`). Narrow it with `Pick<…, 'call'>` where a user only calls. */
export type ConductorClient = TopicClient<typeof CONDUCTOR>;
/** A client of the scheduler topic. */
export type SchedulerClient = TopicClient<typeof SCHEDULER>;
/** A client of one compute host's topic (`rpcClient(transport, COMPUTE, host)`). */
export type ComputeClient = TopicClient<typeof COMPUTE>;
/** Names of the compute topic's calls and casts, and the args and result of one of them. */
export type ComputeCallName = CallName<typeof COMPUTE>;
export type ComputeCastName = CastName<typeof COMPUTE>;
export type ComputeArgs<M> = DArgs<typeof COMPUTE, M>;
export type ComputeResult<M> = DResult<typeof COMPUTE, M>;
