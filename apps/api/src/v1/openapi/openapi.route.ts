import { sendJsonResponse } from '../../http/error-body';
import { requestState } from '../../http/request-state';
import { type RouteSpec } from '../route-table';
import { openApiDocument } from './openapi.document';

export const OPENAPI_PATH = '/v1/openapi.json';

/** `GET /v1/openapi.json`: the document of `routes` (which include this one), served without a token. */
export function openApiRoute(routes: () => readonly RouteSpec[]): RouteSpec {
  return {
    method: 'GET',
    path: OPENAPI_PATH,
    public: true,
    handler: (req, res) => sendJsonResponse(res, 200, openApiDocument(routes(), requestState(req).hostUrl)),
  };
}
