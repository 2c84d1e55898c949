import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { AggregatorRegistry, collectDefaultMetrics } from 'prom-client';
import { metricsRegistry } from './registry';

let defaultsCollected = false;

/** Node process metrics (CPU, memory, event loop lag, GC …), once per process, with the `zun_` prefix. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'zun_' });
}

const aggregator = new AggregatorRegistry();

/** This process's metrics, or, in the primary of worker processes, the sum of the workers' (node:cluster). */
async function exposition(): Promise<{ body: string; contentType: string }> {
  const workers = cluster.isPrimary ? Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead()) : [];
  if (workers.length > 0) {
    const merged = await aggregator.clusterMetrics();
    return { body: merged, contentType: aggregator.contentType };
  }
  return { body: await metricsRegistry.metrics(), contentType: metricsRegistry.contentType };
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The port it listens on (the real one when 0 was asked… but 0 means off in zun.conf). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` in Prometheus's text format on `host:port`; anything else is a 404. The server does not
 * keep the process alive (a stopping service exits without closing it). Rejects when it cannot listen.
 */
export async function startMetricsServer(host: string, port: number): Promise<MetricsServer> {
  collectProcessMetrics();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    exposition().then(
      ({ body, contentType }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
