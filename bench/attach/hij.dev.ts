import Docker from 'dockerode';
import WebSocket from 'ws';
import { DockerFrameDemuxer } from '@zun-ts/compute-driver-docker';
const sock = '/tmp/zdev5/docker/docker.sock';
const docker = new Docker({ socketPath: sock });
const WINDOW = Number(process.env.W ?? 1 << 20); const CH = 32 * 1024; const TOTAL = 64 << 20;
async function main() {
  const c = await docker.createContainer({ Image: '127.0.0.1:5050/busybox', Cmd: ['cat'], OpenStdin: true, Tty: false });
  await c.start();
  try {
    // hijack
    const s = (await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as import('node:stream').Duplex;
    const out = s.pipe(new DockerFrameDemuxer());
    let rec = 0; let waiter: (() => void) | null = null;
    out.on('data', (d: Buffer) => { rec += d.length; waiter?.(); });
    const chunk = Buffer.alloc(CH, 'y'); let sent = 0; const t0 = Date.now();
    while (sent < TOTAL) { while (sent - rec > WINDOW) await new Promise<void>((r) => (waiter = r)); s.write(chunk); sent += CH; }
    while (rec < sent) await new Promise<void>((r) => (waiter = r));
    console.log('hijack MB/s', (sent / 1e6 / ((Date.now() - t0) / 1000)).toFixed(1));
    s.destroy();
    // ws
    const ws = new WebSocket(`ws+unix://${sock}:/v1.41/containers/${c.id}/attach/ws?stream=1&stdin=1&stdout=1&stderr=1`);
    await new Promise((r) => ws.once('open', r));
    let rec2 = 0; let w2: (() => void) | null = null;
    ws.on('message', (d: Buffer) => { rec2 += d.length; w2?.(); });
    let sent2 = 0; const t1 = Date.now();
    while (sent2 < TOTAL) { while (sent2 - rec2 > WINDOW) await new Promise<void>((r) => (w2 = r)); ws.send(chunk); sent2 += CH; }
    while (rec2 < sent2) await new Promise<void>((r) => (w2 = r));
    console.log('ws MB/s', (sent2 / 1e6 / ((Date.now() - t1) / 1000)).toFixed(1));
    ws.close();
  } finally { await c.remove({ force: true }); }
}
void main();
