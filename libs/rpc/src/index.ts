export { RpcTransport } from './rpc.transport';
export { type RpcOptions, type ResolvedRpcOptions, resolveRpcOptions } from './rpc.options';
export { type AnyTopic, type CallOptions, RpcClient, rpcClient, type TopicClient } from './rpc.client';
export { type FamilyServeOptions, RpcServer, type ServeOptions } from './rpc.server';
export { LOCAL_CALLER, localClient, unimplemented } from './local.client';
export {
  type ArgsOf, call, type CallName, type CallSpec, cast, type CastName, type CastSpec, type ContractOf, type DArgs, defineTopic, type DResult, type ResultOf, type RpcCaller,
  type RpcContract, type RpcHandler, type RpcMethodName, type TopicDescriptor, topicOf,
} from './contract.types';
export { type AnyWireSchema, type Infer, OBJECTS_ON_THE_WIRE, s, WireDecodeError, type WireSchema } from './wire-schema';
export { CONDUCTOR_TOPIC, SCHEDULER_TOPIC, computeTopic } from './queue.naming';
export { InvalidRpcMessage, NoSuchMethod, RpcProtocolError, RpcTransportClosed } from './rpc.errors';
export {
  type ActionEventRequest, type BuildContainerRequest, type BuildRetry, CONDUCTOR, type ConductorRpcApi, type ConsoleTarget,
  type ConsoleTargetRequest, type ContainerMountInfo, type ContainerSaveRequest, type CreateFailureReport, type ExecInstanceCreateRequest,
  type ContainerPortInfo, type HostNetworkInfo, type PortSaveRequest, type HostVolumeInfo, type HostVolumePatch, type ReleasedVolumeInfo, type ServiceHeartbeatRequest, type VolumeSaveRequest,
  type ImagePulledRequest, type SealedRegistryCredentials,
} from './contracts/conductor.contract';
export { SCHEDULER, type SchedulerRpcApi, type SelectDestinationsRequest, type SelectDestinationsResult } from './contracts/scheduler.contract';
export {
  COMPUTE, type ComputeRpcApi, type ContainerArchiveRequest, type ContainerAttachResult, type ContainerCreateRequest, type ContainerExecRequest,
  type ContainerExecResult, type ContainerLogsRequest, type ContainerRef, type TtySize, type ContainerCommitRequest,
} from './contracts/compute.contract';
export {
  type ComputeArgs, type ComputeCallName, type ComputeCastName, type ComputeClient, type ComputeResult, type ConductorClient, type SchedulerClient,
} from './clients';
export { ConductorServiceRegistry } from './conductor-service.registry';
export { firstAttemptJson, parseStoredBuild, type StoredBuild, storedBuildJson } from './stored-build';
