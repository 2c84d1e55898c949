import { injectable } from 'inversify';
import { MAX_VERSION, MIN_VERSION } from '../http/api-version';
import { sendJsonResponse } from '../http/error-body';
import { requestState } from '../http/request-state';
import { makeLink, selfAndBookmark } from '../http/links';
import { type ApiController, type RouteSpec } from './route-table';

/** Resources listed in the v1 document (each with self and bookmark links). */
const V1_RESOURCES = ['services', 'containers', 'images', 'networks', 'hosts', 'capsules', 'availability_zones', 'quotas', 'quota_classes', 'registries'];

export function rootDocument(hostUrl: string): Record<string, unknown> {
  const v1 = {
    id: 'v1',
    links: [makeLink('self', hostUrl, 'v1', '', true)],
    status: 'CURRENT',
    max_version: MAX_VERSION.toString(),
    min_version: MIN_VERSION.toString(),
  };
  return {
    name: 'OpenStack Zun API',
    description: 'Zun is an OpenStack project which aims to provide containers service.',
    versions: [v1],
    default_version: v1,
  };
}

export function v1Document(hostUrl: string): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    id: 'v1',
    media_types: [{ base: 'application/json', type: 'application/vnd.openstack.zun.v1+json' }],
    links: [
      makeLink('self', hostUrl, 'v1', '', true),
      { href: 'https://docs.openstack.org/developer/zun/dev/api-spec-v1.html', rel: 'describedby', type: 'text/html' },
    ],
  };
  for (const r of V1_RESOURCES) doc[r] = selfAndBookmark(hostUrl, r);
  return doc;
}

/** `GET /` (version discovery, load-bearing for the client) and `GET /v1`; both public. */
@injectable()
export class VersionsController implements ApiController {
  routes(): RouteSpec[] {
    return [
      { method: 'GET', path: '/', public: true, handler: (req, res) => sendJsonResponse(res, 200, rootDocument(requestState(req).hostUrl)) },
      { method: 'GET', path: '/v1', public: true, handler: (req, res) => sendJsonResponse(res, 200, v1Document(requestState(req).hostUrl)) },
    ];
  }
}
