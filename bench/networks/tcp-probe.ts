// The two ends of one TCP transfer of the networks benchmark. The benchmark starts each end inside a
// container's network namespace (`nsenter --net=/proc/<pid>/ns/net`), so the bytes take exactly the path a
// container's own traffic takes, while the container image needs no tool of its own (busybox's nc is far
// slower than the network). Each end prints one JSON line on stdout.
//   recv <bind-ip>             listens on an ephemeral port, prints {"port":N}, takes one connection,
//                              prints {"bytes":B,"ms":T,"cpuMs":C} (T and C from the first byte to the end)
//   send <ip> <port> <bytes>   connects, writes <bytes> in 1 MiB writes, prints {"cpuMs":C} (C from the
//                              connection to its close)
import { createServer, connect, type Socket } from 'node:net';

const CHUNK = Buffer.alloc(1024 * 1024, 0x5a);

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function fail(message: string): never {
  process.stderr.write(`tcp-probe: ${message}\n`);
  process.exit(2);
}

function receive(bindIp: string): void {
  const server = createServer((sock: Socket) => {
    server.close();
    let bytes = 0;
    let first = 0n;
    let cpu0 = 0;
    sock.on('data', (d: Buffer) => {
      if (bytes === 0) {
        first = process.hrtime.bigint();
        cpu0 = cpuMs();
      }
      bytes += d.length;
    });
    sock.on('end', () => {
      const ms = Number(process.hrtime.bigint() - first) / 1e6;
      process.stdout.write(`${JSON.stringify({ bytes, ms, cpuMs: cpuMs() - cpu0 })}\n`);
      sock.end();
    });
    sock.on('error', (e) => fail(`receive: ${e.message}`));
  });
  server.on('error', (e) => fail(`listen: ${e.message}`));
  server.listen(0, bindIp, () => {
    const addr = server.address();
    if (!addr || typeof addr === 'string') fail('no port');
    process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`);
  });
}

function send(ip: string, port: number, total: number): void {
  const sock = connect({ host: ip, port, noDelay: false });
  let cpu0 = 0;
  sock.on('error', (e) => fail(`send: ${e.message}`));
  sock.on('connect', () => {
    cpu0 = cpuMs();
    let left = total;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, CHUNK.length);
        left -= n;
        if (!sock.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          sock.once('drain', pump);
          return;
        }
      }
      sock.end();
    };
    pump();
  });
  sock.on('close', () => process.stdout.write(`${JSON.stringify({ cpuMs: cpuMs() - cpu0 })}\n`));
  sock.resume();
}

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'recv' && a) receive(a);
else if (mode === 'send' && a && b && c) send(a, Number(b), Number(c));
else fail('usage: tcp-probe.ts recv <bind-ip> | send <ip> <port> <bytes>');
