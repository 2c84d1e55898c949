import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { inject, injectable, multiInject } from 'inversify';
import { ConfigError, type Logger } from '@zun-ts/common';
import { type PluginRegistry } from '@zun-ts/plugin-host';
import { LOGGER, PIPELINE_STAGE, PLUGIN_REGISTRY } from '../api.tokens';
import { renderError } from '../http/error-body';
import { HttpError } from '../http/http-error';
import { endAfterBody } from '../http/read-body';
import { type PasteConfig } from './paste-config';
import { type PipelineStage, type PipelineStageFactory } from './pipeline.types';
import { pluginStage } from './plugin-stage';

/** Handlers on the way in, then the handlers of errors raised by them (innermost first). */
interface Segment {
  handlers: RequestHandler[];
  errorHandlers: ErrorRequestHandler[];
}

/** The `use` of a `[composite:x]` that routes by path prefix (`egg:Paste#urlmap` is accepted as Zun writes it). */
const URLMAP = new Set(['urlmap', 'egg:Paste#urlmap']);
/** The `use` of a `[composite:x]` whose keys are auth strategies (cinder's `pipeline_factory`). */
const PIPELINE_FACTORY = 'pipeline_factory';

const notFound: RequestHandler = () => {
  throw new HttpError(404, 'The resource could not be found.');
};

/** Whether `path` is `prefix` or below it (segment boundary; `/` matches every path). */
function underPrefix(path: string, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return p === '' || path === p || path.startsWith(`${p}/`);
}

/**
 * Builds the express application api-paste.ini describes, starting at `main`. Elements resolve, in this order,
 * to a section of the file, a filter or app of zun-api (bound to PIPELINE_STAGE) or a plug-in's middleware.
 * Every mistake (unknown element, filter where the app belongs, missing app, cycle, unknown `use`) is a
 * ConfigError naming the file and the section.
 */
@injectable()
export class PipelineBuilder {
  private readonly factories: Map<string, PipelineStageFactory>;

  constructor(
    @multiInject(PIPELINE_STAGE) factories: PipelineStageFactory[],
    @inject(LOGGER) private readonly logger: Logger,
    @inject(PLUGIN_REGISTRY) private readonly plugins: PluginRegistry,
  ) {
    this.factories = new Map(factories.map((f) => [`${f.kind}:${f.name}`, f]));
  }

  /**
   * The app zun-api serves: `main`; with `auth_strategy = noauth`, a file of the earlier layout (a
   * `[pipeline:noauth]` beside a `[pipeline:main]`, no `[composite:main]`) serves `noauth`.
   */
  entryPoint(paste: PasteConfig, authStrategy: string): string {
    if (authStrategy === 'noauth' && paste.pipelines.has('noauth') && !paste.composites.has('main') && !paste.apps.has('main') && !paste.filterApps.has('main')) return 'noauth';
    return 'main';
  }

  build(paste: PasteConfig, authStrategy: string): Express {
    const compiled = new Compilation(paste, authStrategy, this.factories, this.plugins, this.logger).app(this.entryPoint(paste, authStrategy), []);
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    // An answer given before the body was read waits until the client has sent it (no EPIPE on its side).
    app.use(endAfterBody);
    if (compiled.handlers.length) app.use(...compiled.handlers);
    // Nothing answered: no app knew the path.
    app.use(notFound);
    if (compiled.errorHandlers.length) app.use(...compiled.errorHandlers);
    // Last resort, for errors raised before (or without) faultwrap.
    const last: ErrorRequestHandler = (err: unknown, req, res, _next) => renderError(err, req, res, this.logger);
    app.use(last);
    return app;
  }
}

/** One build of api-paste.ini: each app-like section is made once, however often it is referred to. */
class Compilation {
  private readonly done = new Map<string, Segment>();

  constructor(
    private readonly paste: PasteConfig,
    private readonly authStrategy: string,
    private readonly factories: ReadonlyMap<string, PipelineStageFactory>,
    private readonly plugins: PluginRegistry,
    private readonly logger: Logger,
  ) {}

  private fail(label: string, problem: string): never {
    throw new ConfigError(`${this.paste.source} ${label}: ${problem}`);
  }

  private known(): string {
    const names = (kind: string): string[] => [...this.factories.values()].filter((f) => f.kind === kind).map((f) => f.name);
    const filters = [...names('filter'), ...[...this.plugins.middleware.keys()].map((n) => `${n} (plug-in ${this.plugins.middleware.get(n)?.plugin})`)];
    const sections = [...this.paste.apps.keys(), ...this.paste.pipelines.keys(), ...this.paste.filterApps.keys(), ...this.paste.composites.keys()];
    return `known filters: ${filters.join(', ')}; known apps: ${names('app').join(', ')}${sections.length ? `; app sections: ${sections.join(', ')}` : ''}`;
  }

  /** The label of the app-like section `name`, or null when the file has none. */
  private labelOf(name: string): string | null {
    if (this.paste.composites.has(name)) return `[composite:${name}]`;
    if (this.paste.pipelines.has(name)) return `[pipeline:${name}]`;
    if (this.paste.filterApps.has(name)) return `[filter-app:${name}]`;
    if (this.paste.apps.has(name)) return `[app:${name}]`;
    return null;
  }

  /** The app `name` (a section or a built-in app) as a segment; `stack` holds the apps being made, for cycles. */
  app(name: string, stack: readonly string[], from = 'entry point'): Segment {
    const made = this.done.get(name);
    if (made) return made;
    const label = this.labelOf(name);
    if (stack.includes(name)) {
      this.fail(label ?? `[${name}]`, `cycle: ${[...stack.slice(stack.indexOf(name)), name].join(' -> ')}`);
    }
    const inner = [...stack, name];
    let seg: Segment;
    const composite = this.paste.composites.get(name);
    const pipeline = this.paste.pipelines.get(name);
    const filterApp = this.paste.filterApps.get(name);
    const appSection = this.paste.apps.get(name);
    if (composite) {
      const lbl = `[composite:${name}]`;
      if (URLMAP.has(composite.use)) seg = this.urlmap(lbl, composite.options, inner);
      else if (composite.use === PIPELINE_FACTORY) {
        const chosen = composite.options[this.authStrategy];
        if (chosen === undefined) this.fail(lbl, `no pipeline for [api] auth_strategy = ${this.authStrategy} (it has: ${Object.keys(composite.options).join(', ') || 'none'})`);
        seg = this.pipeline(`${lbl} ${this.authStrategy}`, chosen.split(/\s+/).filter(Boolean), inner);
      } else this.fail(lbl, `unknown use = ${composite.use} (known: urlmap, pipeline_factory)`);
    } else if (pipeline) {
      seg = this.pipeline(`[pipeline:${name}]`, pipeline, inner);
    } else if (filterApp) {
      const lbl = `[filter-app:${name}]`;
      const filter = this.filterStage(name, lbl, filterApp.options, filterApp.factory);
      const next = this.app(filterApp.next, inner, lbl);
      seg = { handlers: [...filter.handlers, ...next.handlers], errorHandlers: [...next.errorHandlers, ...(filter.errorHandlers ?? [])] };
      this.logger.info('api pipeline', { source: this.paste.source, section: lbl, elements: [name, filterApp.next] });
    } else {
      const options = appSection?.options ?? {};
      const { use, ...rest } = options;
      const lbl = appSection ? `[app:${name}]` : from;
      if (appSection?.factory) this.fail(lbl, `paste.app_factory is not supported (plug-ins provide middleware; use = <known app>)`);
      const factoryName = use ?? name;
      const factory = this.factories.get(`app:${factoryName}`);
      if (!factory) {
        const isFilter = this.factories.has(`filter:${factoryName}`) || this.plugins.middleware.has(factoryName);
        this.fail(lbl, isFilter ? `"${factoryName}" is a filter but stands where the app (last element) belongs` : `unknown app "${factoryName}" (${this.known()})`);
      }
      seg = toSegment(this.create(lbl, () => factory.create(rest)));
    }
    this.done.set(name, seg);
    return seg;
  }

  private create(label: string, make: () => PipelineStage): PipelineStage {
    try {
      return make();
    } catch (err) {
      if (err instanceof ConfigError && err.message.startsWith(this.paste.source)) throw err;
      this.fail(label, err instanceof Error ? err.message : String(err));
    }
  }

  /** A filter: `[filter:x]` options with `use` or `paste.filter_factory`, else the built-in or plug-in named `element`. */
  private filterStage(element: string, label: string, options: Record<string, string>, factoryRef: string | undefined): PipelineStage {
    const { use, ...rest } = options;
    if (factoryRef !== undefined) {
      if (use !== undefined) this.fail(label, 'has both use and paste.filter_factory; keep one');
      const at = factoryRef.lastIndexOf(':');
      if (at <= 0) this.fail(label, `paste.filter_factory = ${factoryRef}: expected <plug-in>:<middleware>`);
      const plugin = factoryRef.slice(0, at);
      const exported = factoryRef.slice(at + 1);
      let factory;
      try {
        factory = this.plugins.middlewareExport(plugin, exported);
      } catch (err) {
        this.fail(label, `paste.filter_factory = ${factoryRef}: ${(err as Error).message}`);
      }
      return this.create(label, () => pluginStage(factory, rest, { element, globalConf: this.paste.defaults, logger: this.logger.child({ plugin, middleware: exported }) }, `plug-in ${plugin} middleware ${exported}`));
    }
    const name = use ?? element;
    const builtIn = this.factories.get(`filter:${name}`);
    if (builtIn) return this.create(label, () => builtIn.create(rest));
    const fromPlugin = this.plugins.middleware.get(name);
    if (fromPlugin) {
      return this.create(label, () => pluginStage(fromPlugin.value, rest, { element, globalConf: this.paste.defaults, logger: this.logger.child({ plugin: fromPlugin.plugin, middleware: name }) }, `plug-in ${fromPlugin.plugin} middleware ${name}`));
    }
    if (this.factories.has(`app:${name}`) || this.labelOf(name)) this.fail(label, `"${element}" is an app but stands where a filter belongs`);
    this.fail(label, `unknown filter "${name}" (${this.known()})`);
  }

  /** Filters left to right, then the app (last element); every problem of the list in one error. */
  private pipeline(label: string, elements: readonly string[], stack: readonly string[]): Segment {
    if (elements.length === 0) this.fail(label, 'is empty: a pipeline needs an app at its end');
    const problems: string[] = [];
    const filters: PipelineStage[] = [];
    for (const element of elements.slice(0, -1)) {
      const section = this.paste.filters.get(element);
      try {
        filters.push(this.filterStage(element, section ? `[filter:${element}]` : label, section?.options ?? {}, section?.factory));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(err.message.replace(`${this.paste.source} `, ''));
      }
    }
    const last = elements[elements.length - 1] as string;
    let app: Segment | null = null;
    const lastAsFilter = !this.labelOf(last) && !this.factories.has(`app:${last}`) && (this.factories.has(`filter:${last}`) || this.plugins.middleware.has(last) || this.paste.filters.has(last));
    if (lastAsFilter) problems.push(`${label}: "${last}" is a filter but stands where the app (last element) belongs: a pipeline ends with an app`);
    else {
      try {
        app = this.app(last, stack, label);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(err.message.replace(`${this.paste.source} `, ''));
      }
    }
    if (problems.length || !app) throw new ConfigError(`${this.paste.source} ${problems.join('; ')}`);
    this.logger.info('api pipeline', { source: this.paste.source, section: label, elements });
    return {
      // Nothing answered: the app did not know the path (errors then pass this pipeline's error handlers).
      handlers: [...filters.flatMap((f) => f.handlers as RequestHandler[]), ...app.handlers, notFound],
      errorHandlers: [...app.errorHandlers, ...[...filters].reverse().flatMap((f) => (f.errorHandlers ?? []) as ErrorRequestHandler[])],
    };
  }

  /** Path prefixes to apps, longest first; the app sees the whole path (nothing is stripped). */
  private urlmap(label: string, options: Record<string, string>, stack: readonly string[]): Segment {
    const routes: Array<{ prefix: string; router: express.Router }> = [];
    for (const [prefix, target] of Object.entries(options)) {
      if (!prefix.startsWith('/')) this.fail(label, `"${prefix}" is not a path prefix (urlmap keys start with /)`);
      const seg = this.app(target.trim(), stack, label);
      const router = express.Router();
      if (seg.handlers.length) router.use(...seg.handlers);
      if (seg.errorHandlers.length) router.use(...seg.errorHandlers);
      routes.push({ prefix, router });
    }
    if (!routes.length) this.fail(label, 'maps no path (add "/ = <app>")');
    routes.sort((a, b) => b.prefix.replace(/\/+$/, '').length - a.prefix.replace(/\/+$/, '').length);
    this.logger.info('api urlmap', { source: this.paste.source, section: label, prefixes: Object.fromEntries(Object.entries(options)) });
    const dispatch: RequestHandler = (req, res, next) => {
      const route = routes.find((r) => underPrefix(req.path, r.prefix));
      if (!route) {
        next();
        return;
      }
      route.router(req, res, next);
    };
    return { handlers: [dispatch], errorHandlers: [] };
  }
}

function toSegment(stage: PipelineStage): Segment {
  return { handlers: [...stage.handlers] as RequestHandler[], errorHandlers: [...(stage.errorHandlers ?? [])] as ErrorRequestHandler[] };
}
