import { sendJsonResponse } from '../../http/error-body';
import { requestState } from '../../http/request-state';
import { type RouteSpec } from '../route-table';
import { openApiDocument } from './openapi.document';

export const OPENAPI_PATH = '/v1/openapi.json';

/**
 * `GET /v1/openapi.json`: the document of `routes` (which include this one), served without a token. The table
 * is fixed once the app is built, so the document is built once; each answer only names its own server URL.
 */
export function openApiRoute(routes: () => readonly RouteSpec[]): RouteSpec {
  let doc: Record<string, unknown> | undefined;
  return {
    method: 'GET',
    path: OPENAPI_PATH,
    public: true,
    handler: (req, res) => {
      doc ??= openApiDocument(routes(), '');
      sendJsonResponse(res, 200, { ...doc, servers: [{ url: requestState(req).hostUrl }] });
    },
  };
}
