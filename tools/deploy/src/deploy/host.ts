// One host's Docker engine as the verbs need it: the state of a named
// container, create/start/restart/remove, exec with exit code and output, the
// last log lines, and waiting until a container is healthy. dockerode only.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface ContainerState {
  id: string;
  imageId: string;
  labels: Record<string, string>;
  running: boolean;
  /** Docker's State.Status: created, running, restarting, exited … */
  status: string;
  /** State.Health.Status, or null without a health check. */
  health: string | null;
  /** Output of the last health check run. */
  lastHealthOutput: string;
  startedAt: string;
  restartCount: number;
  exitCode: number;
}

/**
 * Docker's health status, as of the container's last start: Docker keeps the status of the run before a restart
 * until a probe of the new run ends, so "healthy" with no probe since StartedAt is "starting".
 */
export function healthSinceStart(health: { Status?: string; Log?: { Start?: string }[] } | undefined, startedAt: string): string | null {
  if (!health?.Status) return null;
  if (health.Status !== 'healthy') return health.Status;
  const started = Date.parse(startedAt);
  const probedSince = (health.Log ?? []).some((l) => Date.parse(l.Start ?? '') >= started);
  return Number.isNaN(started) || probedSince ? 'healthy' : 'starting';
}

function statusCode(e: unknown): number | undefined {
  return (e as { statusCode?: number }).statusCode;
}

export class HostEngine {
  constructor(
    readonly host: string,
    readonly docker: Docker,
  ) {}

  async state(name: string): Promise<ContainerState | null> {
    try {
      const i = await this.docker.getContainer(name).inspect();
      return {
        id: i.Id,
        imageId: i.Image,
        labels: i.Config.Labels ?? {},
        running: i.State.Running,
        status: i.State.Status,
        health: healthSinceStart(i.State.Health, i.State.StartedAt),
        lastHealthOutput: i.State.Health?.Log?.at(-1)?.Output ?? '',
        startedAt: i.State.StartedAt,
        restartCount: i.RestartCount,
        exitCode: i.State.ExitCode,
      };
    } catch (e) {
      if (statusCode(e) === 404) return null;
      throw e;
    }
  }

  /** The image the reference points at (its id and Docker's Created date), or null when the engine has none. */
  async image(ref: string): Promise<{ id: string; created: string } | null> {
    try {
      const i = await this.docker.getImage(ref).inspect();
      return { id: i.Id, created: i.Created };
    } catch (e) {
      if (statusCode(e) === 404) return null;
      throw e;
    }
  }

  /** The id the image reference points at, or null when the engine has no such image. */
  async imageId(ref: string): Promise<string | null> {
    return (await this.image(ref))?.id ?? null;
  }

  async create(opts: Docker.ContainerCreateOptions): Promise<void> {
    await this.docker.createContainer(opts);
  }

  async start(name: string): Promise<void> {
    await this.docker.getContainer(name).start();
  }

  async restart(name: string, graceSeconds = 60): Promise<void> {
    await this.docker.getContainer(name).restart({ t: graceSeconds });
  }

  async stop(name: string, graceSeconds = 60): Promise<boolean> {
    try {
      await this.docker.getContainer(name).stop({ t: graceSeconds });
      return true;
    } catch (e) {
      if (statusCode(e) === 304 || statusCode(e) === 404) return false; // already stopped, or gone
      throw e;
    }
  }

  async remove(name: string): Promise<boolean> {
    try {
      await this.docker.getContainer(name).remove({ force: true, v: false });
      return true;
    } catch (e) {
      if (statusCode(e) === 404) return false;
      throw e;
    }
  }

  /** The containers carrying a label (all states): name and labels. */
  async listLabelled(label: string): Promise<{ name: string; labels: Record<string, string> }[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [label] } });
    return list.map((c) => ({ name: (c.Names[0] ?? c.Id).replace(/^\//, ''), labels: c.Labels ?? {} }));
  }

  async ensureVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).inspect();
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
      await this.docker.createVolume({ Name: name });
    }
  }

  async removeVolume(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).remove();
      return true;
    } catch (e) {
      if (statusCode(e) === 404) return false;
      throw e;
    }
  }

  /** Runs a command in a running container; its exit code and combined output. */
  async exec(name: string, cmd: string[], env: string[] = []): Promise<{ code: number; output: string }> {
    const exec = await this.docker.getContainer(name).exec({ Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true, User: 'root' });
    const stream = await exec.start({ hijack: true, stdin: false });
    const sink = new PassThrough();
    let output = '';
    sink.on('data', (d: Buffer) => (output += d.toString('utf8')));
    this.docker.modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    const info = await exec.inspect();
    return { code: info.ExitCode ?? -1, output };
  }

  /** The last `lines` lines of a container's log (stdout and stderr). */
  async logTail(name: string, lines = 20): Promise<string> {
    try {
      const buf = (await this.docker.getContainer(name).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
      return demuxBuffer(buf).trimEnd();
    } catch {
      return '(no log)';
    }
  }

  /**
   * Waits for a container to exit; its exit code, or null at the deadline. Polls
   * inspect: a long-held wait request can outlive the client's timeout unnoticed.
   */
  async wait(name: string, timeoutMs: number): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = await this.state(name);
      if (!s) throw new Error(`${name} is gone`);
      if (!s.running && s.status !== 'created' && s.status !== 'restarting') return s.exitCode;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return null;
  }
}

/** Docker's multiplexed log format (8-byte frame headers) to text; plain text stays as it is. */
export function demuxBuffer(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return i === 0 ? buf.toString('utf8') : out;
}
