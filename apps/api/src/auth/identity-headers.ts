import { type IncomingMessage } from 'node:http';
import { type TokenIdentity } from '../api.tokens';

/** Headers only the token middleware may set; a client's own copies are removed first. */
export const IDENTITY_HEADERS = [
  'x-identity-status', 'x-user-id', 'x-user-name', 'x-user-domain-id', 'x-user-domain-name',
  'x-project-id', 'x-project-name', 'x-project-domain-id', 'x-project-domain-name',
  'x-domain-id', 'x-domain-name', 'x-system-scope', 'x-roles', 'x-is-admin-project', 'x-service-catalog',
  'x-tenant-id', 'x-tenant-name', 'x-tenant', 'x-user', 'x-role',
] as const;

export function stripIdentityHeaders(req: IncomingMessage): void {
  for (const h of IDENTITY_HEADERS) delete req.headers[h];
  for (const h of Object.keys(req.headers)) if (h.startsWith('x-service-')) delete req.headers[h];
}

/** Adds the headers keystonemiddleware hands to the service for a valid token. */
export function setIdentityHeaders(req: IncomingMessage, id: TokenIdentity): void {
  const set = (name: string, value: string | null): void => {
    if (value !== null) req.headers[name] = value;
  };
  set('x-identity-status', 'Confirmed');
  set('x-user-id', id.userId);
  set('x-user-name', id.userName);
  set('x-user-domain-id', id.userDomainId);
  set('x-user-domain-name', id.userDomainName);
  set('x-project-id', id.projectId);
  set('x-project-name', id.projectName);
  set('x-project-domain-id', id.projectDomainId);
  set('x-project-domain-name', id.projectDomainName);
  set('x-domain-id', id.domainId);
  set('x-domain-name', id.domainName);
  set('x-system-scope', id.systemScope);
  set('x-roles', id.roles.join(','));
  set('x-is-admin-project', id.isAdminProject === null ? null : id.isAdminProject ? 'True' : 'False');
}
