import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
const S = '/tmp/zdev5/stack';
const pids = Object.fromEntries(['wsproxy', 'compute'].map((s) => [s, readFileSync(`${S}/${s}.pid`, 'utf8').trim()]));
const dockerd = readFileSync('/tmp/zdev5/docker/pid', 'utf8').trim();
function cpu(pid: string): number { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; }
async function main() {
  const url = process.argv[2]!; const direct = url.startsWith('ws+unix');
  const ws = new WebSocket(url, direct ? [] : ['binary'], { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r)); await new Promise((r) => setTimeout(r, 200));
  let rec = 0; let w: (() => void) | null = null; let msgs = 0;
  ws.on('message', (d: Buffer) => { rec += d.length; msgs++; w?.(); });
  const before = { ...Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpu(p)])), dockerd: cpu(dockerd), self: process.cpuUsage() };
  const chunk = Buffer.alloc(32768, 'y'); const TOTAL = 64 << 20; let sent = 0; const t0 = Date.now();
  while (sent < TOTAL) { while (sent - rec > (1 << 20)) await new Promise<void>((r) => (w = r)); ws.send(chunk); sent += chunk.length; }
  while (rec < sent) await new Promise<void>((r) => (w = r));
  const ms = Date.now() - t0; const su = process.cpuUsage(before.self);
  console.log(`${direct ? 'direct' : 'proxied'} ${(sent / 1e6 / (ms / 1000)).toFixed(1)} MB/s msgsIn=${msgs} cpu ms: wsproxy ${cpu(pids.wsproxy!) - before.wsproxy!} compute ${cpu(pids.compute!) - before.compute!} dockerd ${cpu(dockerd) - before.dockerd} client ${((su.user + su.system) / 1000).toFixed(0)}`);
  ws.close();
}
void main();
