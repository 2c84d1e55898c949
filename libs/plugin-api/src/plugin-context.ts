/** The service's structured logger, as plug-ins see it. */
export interface PluginLogger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

/** What the factories of filters, weighers and drivers are given. */
export interface PluginContext {
  /** `[DEFAULT] host` of the service loading the plug-in. */
  readonly host: string;
  /** A child of the service's logger, tagged with the plug-in's name. */
  readonly logger: PluginLogger;
}
