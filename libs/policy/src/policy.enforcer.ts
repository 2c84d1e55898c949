import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type Logger, PolicyNotAuthorized, type RequestContext, silentLogger } from '@zun-ts/common';
import { type Check, evaluate, type PolicyCredentials, type PolicyTarget } from './check';
import { DEFAULT_RULES, type RuleDefault } from './default.rules';
import { parsePolicyFile, type PolicyFileRule } from './policy-file.parser';
import { parseRule, parseRuleList } from './rule.parser';

/** Options of {@link PolicyEnforcer}. */
export interface PolicyEnforcerOptions {
  /** Registered rules and their defaults. @default DEFAULT_RULES (Zun's) */
  defaults?: readonly RuleDefault[];
  /** Override file (YAML or JSON); may be absent, may appear or change later. */
  policyFile?: string | null;
  /** Directories whose `*.yaml`/`*.yml`/`*.json` files (sorted) override after the policy file. */
  policyDirs?: readonly string[];
  logger?: Logger;
}

/** An unregistered rule name was enforced: a programming error, not a denial. */
export class PolicyNotRegistered extends Error {
  constructor(readonly rule: string) {
    super(`Policy ${rule} has not been registered`);
    this.name = 'PolicyNotRegistered';
  }
}

interface Source {
  file: string;
  signature: string;
}

function signatureOf(file: string): string | null {
  try {
    const st = statSync(file);
    return st.isFile() ? `${st.ino}:${st.size}:${st.mtimeMs}` : null;
  } catch {
    return null;
  }
}

function listPolicyDir(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => /\.(ya?ml|json)$/.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/**
 * Evaluates Zun's policy: registered defaults, overridden by the policy file and policy
 * directories, which are re-read whenever they change (checked on every enforcement, so an
 * edit takes effect on the next request). A file that fails to parse at run time is logged
 * and the previous rules stay in force.
 */
export class PolicyEnforcer {
  private readonly defaults: Map<string, Check>;
  private readonly logger: Logger;
  private readonly policyFile: string | null;
  private readonly policyDirs: readonly string[];
  private rules: Map<string, Check>;
  private loaded: Source[] = [];
  private checkedThisTurn = false;

  constructor(opts: PolicyEnforcerOptions = {}) {
    this.logger = opts.logger ?? silentLogger();
    this.defaults = new Map((opts.defaults ?? DEFAULT_RULES).map((r) => [r.name, parseRule(r.check)]));
    this.policyFile = opts.policyFile ?? null;
    this.policyDirs = opts.policyDirs ?? [];
    this.rules = new Map(this.defaults);
    // A broken file at start-up is fatal (unlike later, when the last good rules stay).
    this.reload(true);
  }

  /** Is a rule with this name known (registered or from a file)? */
  hasRule(name: string): boolean {
    this.maybeReload();
    return this.rules.has(name);
  }

  /** True when `rule` allows `creds` to act on `target`. Throws PolicyNotRegistered for an unknown rule. */
  enforce(rule: string, target: PolicyTarget, creds: PolicyCredentials): boolean {
    this.maybeReload();
    const check = this.rules.get(rule);
    if (!check) throw new PolicyNotRegistered(rule);
    return evaluate(check, target, creds, (name) => this.rules.get(name));
  }

  /** Throws PolicyNotAuthorized (403 `container.policy-not-authorized`) unless allowed. */
  authorize(rule: string, target: PolicyTarget, creds: PolicyCredentials): void {
    if (!this.enforce(rule, target, creds)) throw new PolicyNotAuthorized(rule);
  }

  /** {@link authorize} against the caller's own project (collections, creates, admin resources). */
  authorizeCaller(rule: string, ctx: RequestContext): void {
    this.authorize(rule, defaultTarget(ctx), credentialsFromContext(ctx));
  }

  /** Zun's `check_is_admin`: the `context_is_admin` rule against the caller's own project. */
  checkIsAdmin(creds: Pick<PolicyCredentials, 'user_id' | 'project_id' | 'roles'>): boolean {
    const full: PolicyCredentials = { ...creds, is_admin: false };
    return this.enforce('context_is_admin', { project_id: creds.project_id, user_id: creds.user_id }, full);
  }

  /** Names of every rule currently in force (registered and from files). */
  ruleNames(): string[] {
    this.maybeReload();
    return [...this.rules.keys()];
  }

  private currentSources(): Source[] {
    const files = [...(this.policyFile ? [this.policyFile] : []), ...this.policyDirs.flatMap(listPolicyDir)];
    const out: Source[] = [];
    for (const file of files) {
      const signature = signatureOf(file);
      if (signature !== null) out.push({ file, signature });
    }
    return out;
  }

  private maybeReload(): void {
    // One look at the files per turn of the event loop: a request renders many
    // checks synchronously (e.g. hidden fields for every row of a list), while a
    // file changed at run time still takes effect on the next request.
    if (this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    setImmediate(() => { this.checkedThisTurn = false; }).unref();
    const now = this.currentSources();
    const same = now.length === this.loaded.length && now.every((s, i) => s.file === this.loaded[i]?.file && s.signature === this.loaded[i]?.signature);
    if (!same) this.reload(false, now);
  }

  private reload(strict: boolean, sources = this.currentSources()): void {
    const rules = new Map(this.defaults);
    try {
      for (const src of sources) {
        const parsed = parsePolicyFile(readFileSync(src.file, 'utf8'), src.file);
        for (const [name, value] of parsed) rules.set(name, this.compile(name, value, src.file));
      }
    } catch (err) {
      if (strict) throw err;
      this.logger.error('policy file not applied; previous rules stay in force', { error: (err as Error).message });
      // Remember the sources anyway so a broken file is reported once, not on every request.
      this.loaded = sources;
      return;
    }
    this.rules = rules;
    this.loaded = sources;
    if (sources.length) this.logger.info('policy overrides loaded', { files: sources.map((s) => s.file) });
  }

  private compile(name: string, value: PolicyFileRule, file: string): Check {
    try {
      return typeof value === 'string' ? parseRule(value) : parseRuleList(value);
    } catch (err) {
      // oslo.policy's behaviour: a rule it cannot parse denies everybody.
      this.logger.error('policy rule not understood; it denies every request', { rule: name, file, error: (err as Error).message });
      return { kind: 'false' };
    }
  }
}

/** Policy credentials from a request context (oslo.context's policy values plus `is_admin`). */
export function credentialsFromContext(ctx: RequestContext): PolicyCredentials {
  return {
    user_id: ctx.userId,
    project_id: ctx.projectId,
    roles: ctx.roles,
    is_admin: ctx.isAdmin,
    user_domain_id: ctx.domainId ?? null,
    project_name: ctx.projectName ?? null,
    user_name: ctx.userName ?? null,
  };
}

/** Zun's default target: the caller's own project and user. */
export function defaultTarget(ctx: RequestContext): PolicyTarget {
  return { project_id: ctx.projectId, user_id: ctx.userId };
}

/**
 * Finds a relative policy file the way oslo.config does: in the directories of the
 * configuration files (last file first). Returns the first existing candidate, else the
 * path in the first directory (so a file created later is still picked up).
 */
export function resolvePolicyPath(name: string, searchDirs: readonly string[]): string {
  if (isAbsolute(name) || searchDirs.length === 0) return name;
  for (const dir of searchDirs) {
    const p = join(dir, name);
    try {
      statSync(p);
      return p;
    } catch {
      // not here; keep looking
    }
  }
  return join(searchDirs[0] as string, name);
}
