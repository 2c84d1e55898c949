import { type ErrorRequestHandler, type RequestHandler } from 'express';

/** Options of a stage: the `key = value` lines of its `[filter:x]` / `[app:x]` section. */
export type StageOptions = Readonly<Record<string, string>>;

/** What one pipeline element contributes to the request path. */
export interface PipelineStage {
  /** Run on the way in, in pipeline order. */
  readonly handlers: readonly RequestHandler[];
  /** Handle errors raised by the stages after this one (like a paste filter wrapping the rest). */
  readonly errorHandlers?: readonly ErrorRequestHandler[];
}

/** A filter or app that api-paste.ini can name. */
export interface PipelineStageFactory {
  /** The name api-paste.ini uses (a pipeline element, or `use = <name>` in its section). */
  readonly name: string;
  /** Filters come first; the last element of a pipeline is the app. */
  readonly kind: 'filter' | 'app';
  /** Throws ConfigError when its configuration is incomplete. */
  create(options: StageOptions): PipelineStage;
}
