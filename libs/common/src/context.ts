import { randomUUID } from 'node:crypto';

/** Who is asking, and under which request id; travels with every RPC message. */
export interface RequestContext {
  requestId: string;
  userId: string | null;
  userName?: string | null;
  projectId: string | null;
  projectName?: string | null;
  domainId?: string | null;
  roles: string[];
  isAdmin: boolean;
  /** The caller's token, only inside the API process; never sent over RPC. */
  authToken?: string | null;
  /** Set for list calls that asked for every project. */
  allProjects?: boolean;
}

export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** A context for work a service starts on its own (periodic tasks, heartbeats). */
export function adminContext(requestId: string = newRequestId()): RequestContext {
  return { requestId, userId: null, projectId: null, roles: ['admin'], isAdmin: true };
}

/** The parts of a context that may cross RPC (no token). */
export function toWireContext(ctx: RequestContext): RequestContext {
  const { authToken: _token, ...rest } = ctx;
  return rest;
}
