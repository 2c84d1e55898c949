import { type IncomingMessage, type ServerResponse } from 'node:http';
import { httpMethodLabel, httpMetrics, httpStatusLabel, routeLabel, secondsSince } from '@zun-ts/metrics';

/** The route template that took each request (never its raw path, which holds uuids and names). */
const templates = new WeakMap<IncomingMessage, string>();

/** Records which route template (`/v1/containers/:container_ident`) handles `req`. */
export function markRoute(req: IncomingMessage, template: string): void {
  templates.set(req, template);
}

/** Counts and times `req` once its answer is sent (or its connection closes first). */
export function measureRequest(req: IncomingMessage, res: ServerResponse): void {
  const start = process.hrtime.bigint();
  let done = false;
  const record = (): void => {
    if (done) return;
    done = true;
    const labels = { route: routeLabel(templates.get(req)), method: httpMethodLabel(req.method), status: httpStatusLabel(res.statusCode) };
    const m = httpMetrics();
    m.requests.inc(labels);
    m.duration.observe(labels, secondsSince(start));
  };
  res.once('finish', record);
  res.once('close', record);
}
