import { type ApiVersion } from '../../http/api-version';

// The container requests as the controllers hand them to the services: schema-checked and parsed as far as
// parsing cannot fail. What Zun checks only after the lookup and the policy (values that may still be
// refused, microversion checks of a parameter) travels as given, so the order of errors stays Zun's.

/** `POST /v1/containers`. */
export interface CreateContainerRequest {
  /** Body and query parameters, schema-checked for the microversion (without `run`). */
  params: Readonly<Record<string, unknown>>;
  /** The `run` parameter as given. */
  run: unknown;
  version: ApiVersion;
  /** For the view's links. */
  hostUrl: string;
}

/** `GET /v1/containers`: its parameters are checked in Zun's order, between the policy checks. */
export interface ListContainersRequest {
  query: Readonly<Record<string, string>>;
  /** The view's fields depend on it (`published_ports` from 1.24). */
  version: ApiVersion;
  hostUrl: string;
}

/** `GET /v1/containers/{id}`. */
export interface ShowContainerRequest {
  ident: string;
  allProjects: boolean;
  /** The view's fields depend on it (`published_ports` from 1.24). */
  version: ApiVersion;
  hostUrl: string;
}

/** A PATCH / resize_container body after the schema: values in their stored types. */
export interface ContainerUpdate {
  cpu?: number;
  memory?: string;
  name?: string;
  auto_heal?: boolean;
}

/** `PATCH /v1/containers/{id}` and `POST …/resize_container`. */
export interface UpdateContainerRequest {
  ident: string;
  update: ContainerUpdate;
  /** The view's fields depend on it (`published_ports` from 1.24). */
  version: ApiVersion;
  hostUrl: string;
}

/** `DELETE /v1/containers/{id}`. */
export interface DeleteContainerRequest {
  ident: string;
  allProjects: boolean;
  force: boolean;
  stop: boolean;
  /** `force` needs 1.7 and `stop` 1.12, checked after the lookup. */
  version: ApiVersion;
}

/** `POST /v1/containers/{id}/rename` (≤1.13). */
export interface RenameContainerRequest {
  ident: string;
  name: string;
  /** The view's fields depend on it (`published_ports` from 1.24). */
  version: ApiVersion;
  hostUrl: string;
}

/** `GET …/logs`. */
export interface LogsRequest {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  /** A number of lines, or `all`. */
  tail: string;
  /** As given (epoch seconds or a time); checked after the lookup. */
  since: unknown;
}

/** `POST …/execute`. */
export interface ExecuteRequest {
  /** As given (split shell-style after the lookup). */
  command: string;
  /** Without it the exec is only created, for the client to attach to. */
  run: boolean;
}

/** `POST …/put_archive`. */
export interface PutArchiveRequest {
  path: string;
  data: string;
  /** Before 1.25 the tar travels as a latin-1 string, from 1.25 base64-encoded. */
  encoding: 'latin1' | 'base64';
}

/** `POST …/rebuild`: the values as given (the image driver is checked after the lookup). */
export interface RebuildRequest {
  image: string | null;
  imageDriver: string | null;
}
