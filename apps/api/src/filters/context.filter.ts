import { type IncomingHttpHeaders } from 'node:http';
import { type RequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { type RequestContext } from '@zun-ts/common';
import { type PolicyEnforcer } from '@zun-ts/policy';
import { POLICY } from '../api.tokens';
import { requestState } from '../http/request-state';
import { type PipelineStage, type PipelineStageFactory } from '../pipeline/pipeline.types';

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  const s = Array.isArray(v) ? v.join(',') : v;
  return s === undefined || s === '' ? null : s;
}

/** The request context from the identity headers the auth filter set (Zun's ContextHook). */
export function contextFromHeaders(requestId: string, headers: IncomingHttpHeaders, policy: PolicyEnforcer): RequestContext {
  const userId = header(headers, 'x-user-id');
  const projectId = header(headers, 'x-project-id') ?? header(headers, 'x-tenant-id');
  const roles = (header(headers, 'x-roles') ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  // Zun decides "admin" with the context_is_admin rule (role:admin unless overridden).
  const isAdmin = policy.checkIsAdmin({ user_id: userId, project_id: projectId, roles });
  return {
    requestId,
    userId,
    userName: header(headers, 'x-user-name'),
    projectId,
    projectName: header(headers, 'x-project-name') ?? header(headers, 'x-tenant-name'),
    domainId: header(headers, 'x-user-domain-id'),
    roles,
    isAdmin,
    authToken: header(headers, 'x-auth-token'),
  };
}

/** Builds the RequestContext every handler works with. */
@injectable()
export class ContextFilter implements PipelineStageFactory {
  readonly name = 'context';
  readonly kind = 'filter';

  constructor(@inject(POLICY) private readonly policy: PolicyEnforcer) {}

  create(): PipelineStage {
    const handler: RequestHandler = (req, _res, next) => {
      const state = requestState(req);
      state.context = contextFromHeaders(state.requestId, req.headers, this.policy);
      next();
    };
    return { handlers: [handler] };
  }
}
