// The ceiling of a list response on this machine: plain node:http serving the same JSON bytes, with as many
// node:cluster workers as zun-api has, and nothing else (no routing, no auth, no database, no rendering).
// Run: node bench/scale/static-json-server.ts BODY_FILE PORT WORKERS  (started by list.bench.ts)
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [file = '', port = '0', workers = '1'] = process.argv.slice(2);
if (cluster.isPrimary && Number(workers) > 1) {
  for (let i = 0; i < Number(workers); i++) cluster.fork();
} else {
  const body = readFileSync(file);
  createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', body.length);
    res.end(body);
  }).listen(Number(port), '127.0.0.1');
}
