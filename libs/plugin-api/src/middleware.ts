import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { type PluginLogger } from './plugin-context';

/** Options of a pipeline element: the `key = value` lines of its `[filter:x]` section, interpolated. */
export type MiddlewareOptions = Readonly<Record<string, string>>;

/** What a middleware factory is given besides its own options. */
export interface MiddlewareContext {
  /** The element's name in api-paste.ini (the section name, or the pipeline entry). */
  readonly element: string;
  /** `[DEFAULT]` of api-paste.ini plus `here` (the file's directory), as paste's global_conf. */
  readonly globalConf: Readonly<Record<string, string>>;
  readonly logger: PluginLogger;
}

/**
 * What a middleware contributes: `handlers` run on the way in, in pipeline order; `errorHandlers` see errors
 * raised by the elements after it (like a paste filter wrapping the rest of the pipeline).
 */
export interface MiddlewareStage {
  readonly handlers: readonly RequestHandler[];
  readonly errorHandlers?: readonly ErrorRequestHandler[];
}

/**
 * An API middleware, like a paste `filter_factory`: called once at start with its `[filter:x]` options; returns
 * an express-compatible handler (or several, or a stage). Throw an Error on a bad option: start-up stops and
 * names the section.
 */
export type MiddlewareFactory = (options: MiddlewareOptions, context: MiddlewareContext) => RequestHandler | readonly RequestHandler[] | MiddlewareStage;
