import { type RequestContext, type SerializedError, toWireContext } from '@zun-ts/common';
import { type RpcCaller } from './contract.types';
import { RpcProtocolError } from './rpc.errors';

/**
 * Envelope version; a server refuses messages of another version.
 * 1: args/results JSON with `{ $date }` tags. 2: args/results encoded by the topic descriptor's schemas
 * (dates as ISO strings, Zun objects in their versioned envelope) and the sender's identity.
 */
export const ENVELOPE_VERSION = 2;

/** What a job carries: the job's name is the method too, the job's id is the message id. */
export interface RpcRequest {
  v: number;
  method: string;
  /** The caller's context without its token. */
  ctx: RequestContext;
  /** Wire form of the args (the method's schema decodes it). */
  args: unknown;
  /** The sending process, as its transport declared it. */
  sender: RpcCaller;
  /** Set for calls: the list the reply is pushed to. Casts have none. */
  replyTo?: string;
  /**
   * "major.minor" of the topic's contract the sender was built with. A server serves a sender of the same
   * major version (a minor version only adds methods or optional fields, so old and new services mix during
   * a rolling upgrade); a message without one comes from a sender that predates the field, and is served.
   */
  cv?: string;
}

/** Whether a server of contract version `served` takes a message sent under `sent` (same major; absent: yes). */
export function contractCompatible(served: string, sent: string | undefined): boolean {
  return sent === undefined || sent.split('.')[0] === served.split('.')[0];
}

/** A call's answer, pushed by the server to the caller's reply list. */
export type RpcReply =
  | { id: string; ok: true; result: unknown }
  | { id: string; ok: false; error: SerializedError };

/** Job data for a request: context stripped of its token; `wireArgs` already encoded by the method's schema. */
export function buildRequest(method: string, ctx: RequestContext, wireArgs: unknown, sender: RpcCaller, replyTo?: string, cv?: string): RpcRequest {
  const req: RpcRequest = { v: ENVELOPE_VERSION, method, ctx: toWireContext(ctx), args: wireArgs, sender };
  if (replyTo !== undefined) req.replyTo = replyTo;
  if (cv !== undefined) req.cv = cv;
  return req;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isNullableString(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string';
}

function parseContext(v: unknown): RequestContext {
  if (
    !isRecord(v) ||
    typeof v.requestId !== 'string' ||
    !isNullableString(v.userId) ||
    !isNullableString(v.projectId) ||
    !Array.isArray(v.roles) ||
    !v.roles.every((r) => typeof r === 'string') ||
    typeof v.isAdmin !== 'boolean'
  ) {
    throw new RpcProtocolError('RPC message has no valid request context.');
  }
  const ctx = { ...v, userId: v.userId ?? null, projectId: v.projectId ?? null } as unknown as RequestContext;
  return toWireContext(ctx);
}

function parseSender(v: unknown): RpcCaller {
  if (!isRecord(v) || typeof v.host !== 'string' || v.host === '' || typeof v.binary !== 'string' || v.binary === '') {
    throw new RpcProtocolError('RPC message has no valid sender.');
  }
  return { host: v.host, binary: v.binary };
}

/** Validates job data (not its args: the method's schema does); throws RpcProtocolError on anything else. */
export function parseRequest(data: unknown): RpcRequest {
  if (!isRecord(data)) throw new RpcProtocolError('RPC message is not an object.');
  if (data.v !== ENVELOPE_VERSION) throw new RpcProtocolError(`Unsupported RPC envelope version ${String(data.v)}.`);
  if (typeof data.method !== 'string' || data.method === '') throw new RpcProtocolError('RPC message has no method.');
  if (data.replyTo !== undefined && typeof data.replyTo !== 'string') throw new RpcProtocolError('RPC message has a bad replyTo.');
  const req: RpcRequest = { v: data.v, method: data.method, ctx: parseContext(data.ctx), args: data.args, sender: parseSender(data.sender) };
  if (typeof data.replyTo === 'string') req.replyTo = data.replyTo;
  if (data.cv !== undefined) {
    if (typeof data.cv !== 'string' || !/^\d+\.\d+$/.test(data.cv)) throw new RpcProtocolError('RPC message has a bad contract version.');
    req.cv = data.cv;
  }
  return req;
}

/** The string pushed to a reply list (a result is already encoded by the method's schema). */
export function encodeReply(reply: RpcReply): string {
  return JSON.stringify(reply);
}

/** Parses a reply list entry (a result stays in wire form); throws RpcProtocolError when it is not one. */
export function parseReply(text: string): RpcReply {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new RpcProtocolError('RPC reply is not JSON.');
  }
  if (!isRecord(v) || typeof v.id !== 'string') throw new RpcProtocolError('RPC reply has no id.');
  if (v.ok === true) return { id: v.id, ok: true, result: v.result };
  const e = v.error;
  if (v.ok === false && isRecord(e) && typeof e.name === 'string' && typeof e.message === 'string') {
    return { id: v.id, ok: false, error: { name: e.name, message: e.message, code: typeof e.code === 'number' ? e.code : 500 } };
  }
  throw new RpcProtocolError('RPC reply is malformed.');
}
