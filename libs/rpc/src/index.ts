export { RpcTransport } from './rpc.transport';
export { type RpcOptions, type ResolvedRpcOptions, resolveRpcOptions } from './rpc.options';
export { RpcClient, type CallOptions } from './rpc.client';
export { RpcServer, type ServeOptions } from './rpc.server';
export { type RpcHandler, type RpcContract, type RpcMethodName, type ArgsOf, type ResultOf } from './contract.types';
export { CONDUCTOR_TOPIC, SCHEDULER_TOPIC, computeTopic } from './queue.naming';
export { NoSuchMethod, RpcProtocolError, RpcTransportClosed } from './rpc.errors';
export {
  type ActionEventRequest, type BuildContainerRequest, type BuildRetry, type ComputeNodeInventory, type ConductorRpcApi, type ContainerPatch,
  type ConsoleTarget, type ConsoleTargetRequest, type CreateFailureReport, type ExecInstanceCreateRequest, type ServiceHeartbeatRequest,
} from './contracts/conductor.contract';
export { type SchedulerRpcApi, type SelectDestinationsRequest } from './contracts/scheduler.contract';
export {
  type ComputeRpcApi, type ContainerArchiveRequest, type ContainerAttachResult, type ContainerCreateRequest, type ContainerExecRequest,
  type ContainerExecResult, type ContainerLogsRequest, type ContainerRef, type TtySize,
} from './contracts/compute.contract';
export { ConductorServiceRegistry } from './conductor-service.registry';
