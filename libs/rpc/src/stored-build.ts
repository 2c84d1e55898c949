import { type RequestContext, toWireContext } from '@zun-ts/common';
import { type JsonObject } from '@zun-ts/objects';
import { type BuildContainerRequest, type BuildRetry } from './contracts/conductor.contract';

/**
 * What a claim made by a build stores (its `build` column), and what the API stores with a new container: the
 * context and retry state of a build attempt, so a build whose host dies, or whose message the bus lost, can be
 * carried on without the message that started it.
 */
export interface StoredBuild {
  context: RequestContext;
  retry: BuildRetry;
}

/**
 * The build request the API stores with a new container (container_build_request): its first attempt, no host
 * tried yet. The conductor runs the build again from it when the bus lost the message.
 */
export function firstAttemptJson(ctx: RequestContext, request: BuildContainerRequest): JsonObject {
  return storedBuildJson(ctx, { request, attempt: 1, hosts: [] });
}

/** `build` as the JSON a claim stores. */
export function storedBuildJson(ctx: RequestContext, retry: BuildRetry): JsonObject {
  const stored: StoredBuild = { context: toWireContext(ctx), retry };
  return JSON.parse(JSON.stringify(stored)) as JsonObject;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The build state a claim stored, or null when there is none or it is not one this version understands. */
export function parseStoredBuild(json: JsonObject | null | undefined): StoredBuild | null {
  if (!isObject(json)) return null;
  const { context, retry } = json;
  if (!isObject(context) || !isObject(retry)) return null;
  if (typeof context['requestId'] !== 'string' || !isStringList(context['roles']) || typeof context['isAdmin'] !== 'boolean') return null;
  if (!isStringOrNull(context['userId'] ?? null) || !isStringOrNull(context['projectId'] ?? null)) return null;
  const { request, attempt, hosts } = retry;
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1 || !isStringList(hosts) || !isObject(request)) return null;
  const hints = request['hints'] ?? {};
  if (typeof request['container_uuid'] !== 'string' || typeof request['run'] !== 'boolean' || !isObject(hints) ||
    !Object.values(hints).every((v) => typeof v === 'string') || !isStringOrNull(request['availability_zone'] ?? null) ||
    !isStringOrNull(request['requested_host'] ?? null)) return null;
  return {
    context: {
      ...(context as unknown as RequestContext),
      userId: (context['userId'] as string | null | undefined) ?? null,
      projectId: (context['projectId'] as string | null | undefined) ?? null,
    },
    retry: {
      request: {
        container_uuid: request['container_uuid'],
        run: request['run'],
        hints: hints as Record<string, string>,
        availability_zone: (request['availability_zone'] as string | null | undefined) ?? null,
        requested_host: (request['requested_host'] as string | null | undefined) ?? null,
      },
      attempt,
      hosts,
    },
  };
}
