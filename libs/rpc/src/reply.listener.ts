import { deserializeError, type Logger, type ZunError } from '@zun-ts/common';
import { Redis } from 'ioredis';
import { parseReply } from './message.envelope';
import { RpcTransportClosed } from './rpc.errors';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** A call waiting for its reply. */
export interface ExpectedReply {
  promise: Promise<unknown>;
  /** Forget the call (it could not be sent). */
  cancel(): void;
}

/**
 * Reads one process's replies: a single connection blocks on BLPOP of the process's reply list and
 * hands each reply to the call with the same id. Replies to calls that already timed out (or that a
 * redelivered job sent twice) find no waiter and are dropped. The connection is opened on the first
 * call, so a process that only serves holds no blocking connection.
 */
export class ReplyListener {
  private conn: Redis | null = null;
  private loop: Promise<void> | null = null;
  private closed = false;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly redisUrl: string,
    readonly key: string,
    private readonly logger: Logger,
  ) {}

  /** Number of calls waiting. */
  get size(): number {
    return this.pending.size;
  }

  /** Register a call before sending it, so that even an instant reply finds its waiter. */
  expect(id: string, timeoutMs: number, onTimeout: () => ZunError): ExpectedReply {
    if (this.closed) throw new RpcTransportClosed('RPC transport is closed.');
    this.start();
    let cancel = (): void => {};
    const promise = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(onTimeout());
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      cancel = () => {
        clearTimeout(timer);
        this.pending.delete(id);
      };
    });
    return { promise, cancel };
  }

  private start(): void {
    if (this.loop) return;
    // null retries: a blocking read must survive a Redis restart instead of failing after 20 tries.
    const conn = new Redis(this.redisUrl, { maxRetriesPerRequest: null, connectionName: 'zun-rpc-replies' });
    conn.on('error', (err: Error) => this.logger.warn('rpc reply connection error', { error: err.message }));
    this.conn = conn;
    this.loop = this.run(conn);
  }

  private async run(conn: Redis): Promise<void> {
    while (!this.closed) {
      let entry: [string, string] | null;
      try {
        entry = await conn.blpop(this.key, 0);
      } catch (err) {
        if (this.closed) return;
        this.logger.warn('rpc reply read failed', { error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (entry) this.dispatch(entry[1]);
    }
  }

  private dispatch(text: string): void {
    let reply;
    try {
      reply = parseReply(text);
    } catch (err) {
      this.logger.error('rpc reply dropped', { error: (err as Error).message });
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) {
      this.logger.debug('late or duplicate rpc reply dropped', { id: reply.id });
      return;
    }
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(deserializeError(reply.error));
  }

  /** Fails the calls still waiting and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new RpcTransportClosed(`RPC transport closed before the reply to message ID ${id} arrived.`));
    }
    this.pending.clear();
    if (this.conn) this.conn.disconnect();
    await this.loop;
  }
}
