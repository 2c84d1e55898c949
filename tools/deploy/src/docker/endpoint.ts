// Each inventory host's Docker endpoint, from its variables:
//   docker_host=unix:///var/run/docker.sock    (default for a local host)
//   docker_host=tcp://10.0.0.5:2376 docker_tls_ca=… docker_tls_cert=… docker_tls_key=…
//   docker_host=ssh://root@10.0.0.5[:22]        (default for a remote host: ansible_user@ansible_host)
// A plain tcp:// endpoint without TLS is refused unless docker_tls=no is set on
// purpose: the engine API is root on that host.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { type Deployment, DeploymentError, hostSetting, isLocalHost } from '../inventory/deployment';

export type Endpoint =
  | { kind: 'unix'; url: string; socketPath: string }
  | { kind: 'tcp'; url: string; host: string; port: number; tls: { ca: string; cert: string; key: string } | null }
  | { kind: 'ssh'; url: string; host: string; port: number; username: string; privateKey?: string };

function tlsFiles(vars: Record<string, string>): { ca: string; cert: string; key: string } | null {
  const dir = vars['docker_cert_path'];
  const ca = vars['docker_tls_ca'] ?? (dir ? join(dir, 'ca.pem') : undefined);
  const cert = vars['docker_tls_cert'] ?? (dir ? join(dir, 'cert.pem') : undefined);
  const key = vars['docker_tls_key'] ?? (dir ? join(dir, 'key.pem') : undefined);
  return ca && cert && key ? { ca, cert, key } : null;
}

/** The Docker endpoint of a host, from `docker_host` or the Ansible connection variables. */
export function hostEndpoint(dep: Deployment, host: string): Endpoint {
  const vars = dep.inventory.varsOf(host);
  const where = `host ${host} (${dep.inventory.file})`;
  const local = isLocalHost(dep, host);
  const url =
    vars['docker_host'] ??
    (local
      ? `unix://${hostSetting(dep, host, 'docker_socket')}`
      : `ssh://${vars['ansible_user'] ?? 'root'}@${vars['ansible_host'] ?? host}${vars['ansible_port'] ? `:${vars['ansible_port']}` : ''}`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DeploymentError(`${where}: docker_host ${JSON.stringify(url)} is not a unix://, tcp:// or ssh:// URL`);
  }
  switch (u.protocol) {
    case 'unix:':
      if (!u.pathname || u.pathname === '/') throw new DeploymentError(`${where}: docker_host ${url} names no socket`);
      return { kind: 'unix', url, socketPath: decodeURIComponent(u.pathname) };
    case 'tcp:': {
      const tls = tlsFiles(vars);
      if (!tls && vars['docker_tls'] !== 'no') {
        throw new DeploymentError(`${where}: ${url} without TLS gives root on that host to anyone who reaches it; set docker_cert_path (or docker_tls_ca/cert/key), or docker_tls=no on purpose`);
      }
      return { kind: 'tcp', url, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (tls ? 2376 : 2375)), tls };
    }
    case 'ssh:': {
      const e: Endpoint = { kind: 'ssh', url, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 22), username: decodeURIComponent(u.username || 'root') };
      const keyFile = vars['ansible_ssh_private_key_file'];
      if (keyFile) e.privateKey = keyFile;
      return e;
    }
    default:
      throw new DeploymentError(`${where}: docker_host ${url}: only unix://, tcp:// (with TLS) and ssh:// are supported`);
  }
}

/** dockerode's options for an endpoint (reads the TLS and SSH key files). */
export function dockerOptions(e: Endpoint, timeoutMs = 120_000): Docker.DockerOptions {
  switch (e.kind) {
    case 'unix':
      return { socketPath: e.socketPath, timeout: timeoutMs };
    case 'tcp':
      return e.tls
        ? { protocol: 'https', host: e.host, port: e.port, ca: readFileSync(e.tls.ca), cert: readFileSync(e.tls.cert), key: readFileSync(e.tls.key), timeout: timeoutMs }
        : { protocol: 'http', host: e.host, port: e.port, timeout: timeoutMs };
    case 'ssh': {
      const keyFile = e.privateKey?.replace(/^~(?=\/)/, homedir());
      return {
        protocol: 'ssh',
        host: e.host,
        port: e.port,
        username: e.username,
        timeout: timeoutMs,
        sshOptions: keyFile ? { privateKey: readFileSync(keyFile) } : { agent: process.env['SSH_AUTH_SOCK'] },
      };
    }
  }
}
