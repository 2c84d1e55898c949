import { type IncomingMessage, request } from 'node:http';
import { type Socket } from 'node:net';
import { type Duplex, Readable } from 'node:stream';
import Docker from 'dockerode';
import { answersHandshake, clientHandshakeHeaders, Conflict, InvalidValue, type Logger, newKey, type RequestContext, silentLogger } from '@zun-ts/common';
import { type ConsoleStream, type ConsoleStreams, containerName, type EngineWebSocket } from '@zun-ts/compute-driver';
import { type DockerConf } from '@zun-ts/config';
import { DockerFrameParser } from './docker-frame.demuxer';
import { type DockerErrorSubject, toZunError } from './docker-errors';
import { dockerSocketPath } from './docker-host';

/**
 * {@link ConsoleStreams} on the local Docker socket: an attach is Docker's own `attach/ws` (the relay splices its
 * frames), an exec `POST /exec/{id}/start` hijacked into a raw socket (Docker has no WebSocket exec), whose output
 * is demultiplexed for a process without a TTY. No request timeout: a console may stay quiet for hours.
 */
export class DockerConsoleStreams implements ConsoleStreams {
  private readonly api: Docker;
  private readonly log: Logger;
  private readonly socketPath: string;

  /** @throws ConfigError when `host` is not a unix:// address. */
  constructor(host: string, logger?: Logger) {
    this.socketPath = dockerSocketPath(host);
    this.api = new Docker({ socketPath: this.socketPath });
    this.log = logger ?? silentLogger();
  }

  /** Console streams on the engine of `[docker] docker_remote_api_host`. */
  static fromConfig(conf: Pick<DockerConf, 'docker_remote_api_host'>, logger?: Logger): DockerConsoleStreams {
    return new DockerConsoleStreams(conf.docker_remote_api_host, logger);
  }

  private async call<T>(subject: DockerErrorSubject, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toZunError(err, subject);
    }
  }

  /**
   * `GET /containers/{id}/attach/ws` on the engine's socket, with no extension offered: Docker then frames the
   * process's output itself (unmultiplexed, one frame per write) and reads stdin from the frames it is sent.
   */
  async attach(ctx: RequestContext, uuid: string): Promise<EngineWebSocket> {
    const info = await this.call('container', () => this.api.getContainer(containerName(uuid)).inspect());
    if (!info.State?.Running) throw new Conflict(`Cannot attach: container ${uuid} is not running.`);
    if (info.State.Paused) throw new Conflict(`Cannot attach: container ${uuid} is paused.`);
    const key = newKey();
    const path = `/containers/${encodeURIComponent(containerName(uuid))}/attach/ws?logs=0&stream=1&stdin=1&stdout=1&stderr=1`;
    const leg = await this.call('container', () =>
      new Promise<EngineWebSocket>((resolve, reject) => {
        const req = request({ socketPath: this.socketPath, path, headers: clientHandshakeHeaders(key) });
        req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
          if (answersHandshake(key, res.headers)) return resolve({ socket, head });
          socket.destroy();
          reject(Object.assign(new Error('the engine answered the attach/ws handshake wrongly'), { statusCode: 502 }));
        });
        // No upgrade: the engine refused (404 no such container, 409 …) with its JSON message.
        req.once('response', (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.once('end', () => {
            const text = Buffer.concat(chunks).toString();
            let json: unknown = text;
            try {
              json = JSON.parse(text);
            } catch {
              // plain text
            }
            reject(Object.assign(new Error(`(HTTP code ${res.statusCode ?? 0}) - ${text}`), { statusCode: res.statusCode, json }));
          });
        });
        req.once('error', reject);
        req.end();
      }),
    );
    this.log.debug('console attached (engine WebSocket)', { requestId: ctx.requestId, containerUuid: uuid, tty: Boolean(info.Config?.Tty) });
    return leg;
  }

  async exec(ctx: RequestContext, execId: string): Promise<ConsoleStream> {
    const e = this.api.getExec(execId);
    const info = await this.call('exec', () => e.inspect());
    // An exec runs once: Docker refuses a second start, and a finished one has an exit code.
    if (info.Running || info.ExitCode !== null) throw new Conflict(`Exec ${execId} was already started.`);
    if (!info.OpenStdin) throw new InvalidValue(`Exec ${execId} was not created for an interactive session.`);
    const tty = Boolean(info.ProcessConfig?.tty);
    const socket = await this.call('exec', () => e.start({ hijack: true, stdin: true, Tty: tty, Detach: false }));
    this.log.debug('console exec started', { requestId: ctx.requestId, execId, tty });
    return consoleOf(socket, tty);
  }
}

function consoleOf(socket: Duplex, tty: boolean): ConsoleStream {
  // Hold the first bytes (a prompt may come at once) until the relay reads them.
  socket.pause();
  const output = tty ? socket : demultiplexed(socket);
  let closed = false;
  return {
    input: socket,
    output,
    tty,
    close() {
      if (closed) return;
      closed = true;
      socket.destroy();
      if (output !== socket) output.destroy();
    },
  };
}

/**
 * The payloads of a framed (non-TTY) socket as a readable stream: one parsing step in the socket's own data
 * handler, with the socket paused while the reader is behind (cheaper than piping through a Transform).
 */
function demultiplexed(socket: Duplex): Readable {
  const parser = new DockerFrameParser();
  const output = new Readable({
    // Pausing a socket costs system calls: let a good amount wait before doing it.
    highWaterMark: 1 << 20,
    read: () => void socket.resume(),
    destroy: (err, cb) => {
      socket.destroy();
      cb(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    let payload: Buffer | null;
    try {
      payload = parser.feed(chunk);
    } catch (err) {
      output.destroy(err as Error);
      return;
    }
    if (payload && !output.push(payload)) socket.pause();
  });
  socket.once('end', () => output.push(null));
  // A socket cut off without an end still ends the output.
  socket.once('close', () => {
    if (!output.readableEnded) output.push(null);
  });
  socket.once('error', (err) => output.destroy(err));
  return output;
}
