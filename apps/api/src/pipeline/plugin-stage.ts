import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { type MiddlewareContext, type MiddlewareFactory, type MiddlewareOptions } from '@zun-ts/plugin-api';
import { type PipelineStage } from './pipeline.types';

function handlerList(v: unknown): RequestHandler[] | null {
  if (typeof v === 'function') return [v as RequestHandler];
  if (Array.isArray(v) && v.every((h) => typeof h === 'function')) return v as RequestHandler[];
  return null;
}

/**
 * A plug-in's middleware as a pipeline stage: the factory is called with its section's options and may return a
 * handler, a list of handlers, or `{ handlers, errorHandlers }`. Anything else is an Error naming `who`.
 */
export function pluginStage(factory: MiddlewareFactory, options: MiddlewareOptions, context: MiddlewareContext, who: string): PipelineStage {
  let made: unknown;
  try {
    made = factory(options, context);
  } catch (err) {
    throw new Error(`${who} refused its options: ${err instanceof Error ? err.message : String(err)}`);
  }
  const direct = handlerList(made);
  if (direct) return { handlers: direct };
  if (typeof made === 'object' && made !== null && 'handlers' in made) {
    const handlers = handlerList((made as { handlers: unknown }).handlers);
    const errors = (made as { errorHandlers?: unknown }).errorHandlers;
    const errorHandlers = errors === undefined ? [] : handlerList(errors);
    if (handlers && errorHandlers) return { handlers, errorHandlers: errorHandlers as unknown as ErrorRequestHandler[] };
  }
  throw new Error(`${who} returned neither a handler, a list of handlers nor { handlers, errorHandlers }`);
}
