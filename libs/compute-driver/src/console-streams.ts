import { type Socket } from 'node:net';
import { type Readable, type Writable } from 'node:stream';
import { type ServiceIdentifier } from 'inversify';
import { type RequestContext } from '@zun-ts/common';

/** A live console of a process in a container: raw bytes both ways, whatever the engine's framing. */
export interface ConsoleStream {
  /** What the user types (the process's stdin). */
  readonly input: Writable;
  /**
   * What the process prints: stdout and stderr interleaved, without engine framing, handed over paused (read
   * it with `resume()` once a taker is there). Ends when the process's output ends.
   */
  readonly output: Readable;
  /** The process has a TTY (input is echoed, line endings are CRLF). */
  readonly tty: boolean;
  /** Ends the session at the engine (idempotent); the process itself is not signalled. */
  close(): void;
}

/**
 * Opens consoles on the engine, for the compute host's console relay. Errors as {@link ContainerDriver}:
 * a missing container or exec → `ContainerNotFound` / `InvalidValue`, a container that is not running or an
 * exec that was already started → `Conflict`, an unreachable engine → `DockerUnavailable`.
 */
export interface ConsoleStreams {
  /**
   * Attaches to the container's main process (stdin, stdout, stderr), like `docker attach`: a byte stream, or
   * the engine's own WebSocket console when it has one (the relay splices that through without parsing).
   */
  attach(ctx: RequestContext, uuid: string): Promise<ConsoleStream | EngineWebSocket>;
  /** Starts an exec created with `interactive` and attaches to it. An exec starts only once. */
  exec(ctx: RequestContext, execId: string): Promise<ConsoleStream>;
}

/**
 * The engine's own WebSocket console of a container, past its handshake. Its frames are plain RFC 6455 frames (no
 * extension was offered); data frames may be text frames of arbitrary bytes.
 */
export interface EngineWebSocket {
  socket: Socket;
  /** Bytes that came with the engine's answer (the first frames). */
  head: Buffer;
}

/** Whether an attach handed over the engine's WebSocket rather than a byte stream. */
export function isEngineWebSocket(console: ConsoleStream | EngineWebSocket): console is EngineWebSocket {
  return 'socket' in console;
}

/** Injection token of the host's {@link ConsoleStreams}. */
export const CONSOLE_STREAMS: ServiceIdentifier<ConsoleStreams> = Symbol.for('zun.ConsoleStreams');
