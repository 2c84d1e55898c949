// The images' health checks (Kolla's healthcheck_* scripts), in Node so they
// need no distribution tools (curl, ss, pgrep, lsof) and behave the same in
// every image. Process and socket facts come from /proc, under a root that
// tests replace. Node built-ins only: bundled with the images.
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';

export type TcpState = 'LISTEN' | 'ESTABLISHED' | 'OTHER';

export interface TcpSocket {
  localPort: number;
  remotePort: number;
  state: TcpState;
  inode: string;
}

/** Parses /proc/net/tcp or tcp6: ports, state and inode of each socket. */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const port = (addr: string): number => parseInt(addr.split(':')[1] ?? '', 16);
    const st = f[3] === '0A' ? 'LISTEN' : f[3] === '01' ? 'ESTABLISHED' : 'OTHER';
    out.push({ localPort: port(f[1] as string), remotePort: port(f[2] as string), state: st, inode: f[9] as string });
  }
  return out;
}

/** Pids whose command line contains `pattern` (pgrep -f), except `exclude`. */
export function pidsMatching(proc: string, pattern: string, exclude: number[] = []): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name) || exclude.includes(Number(name))) continue;
    try {
      const cmdline = readFileSync(join(proc, name, 'cmdline'), 'utf8').split('\0').filter(Boolean).join(' ');
      if (cmdline.includes(pattern)) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Socket inodes a process holds open. */
export function socketInodes(proc: string, pid: number): Set<string> {
  const inodes = new Set<string>();
  const dir = join(proc, String(pid), 'fd');
  let fds: string[] = [];
  try {
    fds = readdirSync(dir);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(join(dir, fd)));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

function sockets(proc: string): TcpSocket[] {
  return ['tcp', 'tcp6'].flatMap((f) => {
    const p = join(proc, 'net', f);
    return existsSync(p) ? parseProcNetTcp(readFileSync(p, 'utf8')) : [];
  });
}

export interface CheckResult {
  ok: boolean;
  message: string;
}

/** Ports held by processes matching `pattern`, in `state`, on one of `ports` (local or remote port). */
function socketCheck(proc: string, pattern: string, ports: number[], state: TcpState, self: number): CheckResult {
  const pids = pidsMatching(proc, pattern, [self]);
  if (!pids.length) return { ok: false, message: `no process matches "${pattern}"` };
  const inodes = new Set(pids.flatMap((p) => [...socketInodes(proc, p)]));
  const hit = sockets(proc).find((s) => s.state === state && inodes.has(s.inode) && (ports.includes(s.localPort) || (state === 'ESTABLISHED' && ports.includes(s.remotePort))));
  const portOf = (sock: TcpSocket): number => (ports.includes(sock.localPort) ? sock.localPort : sock.remotePort);
  if (hit) return { ok: true, message: `${pattern} ${state === 'LISTEN' ? 'listens on' : 'is connected on'} port ${portOf(hit)}` };
  return { ok: false, message: `${pattern} (pid ${pids.join(', ')}) ${state === 'LISTEN' ? 'does not listen on' : 'has no connection on'} port ${ports.join(' or ')}` };
}

/** healthcheck_listen PROC PORT…: a matching process listens on one of the ports. */
export function checkListen(proc: string, pattern: string, ports: number[], self = process.pid): CheckResult {
  return socketCheck(proc, pattern, ports, 'LISTEN', self);
}

/** healthcheck_port PROC PORT…: a matching process holds an established connection involving one of the ports. */
export function checkPort(proc: string, pattern: string, ports: number[], self = process.pid): CheckResult {
  return socketCheck(proc, pattern, ports, 'ESTABLISHED', self);
}

/** healthcheck_filemod FILE SECS: the file changed within the last SECS seconds. */
export function checkFilemod(file: string, seconds: number, now = Date.now()): CheckResult {
  if (!existsSync(file)) return { ok: false, message: `${file} does not exist` };
  const age = (now - statSync(file).mtimeMs) / 1000;
  return age <= seconds ? { ok: true, message: `${file} changed ${Math.round(age)}s ago` } : { ok: false, message: `${file} unchanged for ${Math.round(age)}s (limit ${seconds}s)` };
}

/** healthcheck_curl URL: an HTTP(S) GET answers below 400 within the timeout (certificates are not verified, as curl -k). */
export function checkCurl(url: string, timeoutMs = 10_000): Promise<CheckResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ ok: false, message: `${url} is not a URL` });
      return;
    }
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code > 0 && code < 400, message: `${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', (e) => resolve({ ok: false, message: `${url}: ${e.message}` }));
    req.end();
  });
}
