// Reads the operator's files named by the command line into a Deployment.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Deployment, DeploymentError } from '../inventory/deployment';
import { parseGlobals } from '../inventory/globals';
import { parseInventory } from '../inventory/inventory';
import { parsePasswords } from '../inventory/passwords';
import { type CliOptions, UsageError } from './args';

export function passwordsFile(opts: CliOptions): string {
  return resolve(opts.passwords ?? join(opts.configDir, 'passwords.yml'));
}

function read(path: string, what: string, hint: string): string {
  if (!existsSync(path)) throw new UsageError(`${what} ${path} does not exist (${hint})`);
  return readFileSync(path, 'utf8');
}

export interface Loaded {
  dep: Deployment;
  /** globals.yml keys the tool does not use. */
  ignoredGlobals: string[];
}

/** Loads inventory, globals.yml and passwords.yml. Parse errors name file and line. */
export function loadDeployment(opts: CliOptions): Loaded {
  const configDir = resolve(opts.configDir);
  const invFile = resolve(opts.inventory ?? join(configDir, 'inventory'));
  const globalsFile = join(configDir, 'globals.yml');
  const pwFile = passwordsFile(opts);
  const inventory = parseInventory(read(invFile, 'inventory', 'pass -i FILE'), invFile);
  const { globals, ignored } = parseGlobals(read(globalsFile, 'globals.yml', 'pass --configdir DIR'), globalsFile);
  const passwords = parsePasswords(read(pwFile, 'passwords file', 'run "zun-kolla genpwd" first'), pwFile);
  return { dep: { inventory, globals, passwords, configDir }, ignoredGlobals: ignored };
}

/** The hosts selected by --limit (hosts or groups), in inventory order; all of `hosts` without --limit. */
export function limitHosts(dep: Deployment, hosts: string[], limit: string[]): string[] {
  if (!limit.length) return hosts;
  const wanted = new Set<string>();
  for (const item of limit) {
    if (dep.inventory.hasGroup(item)) dep.inventory.hostsOf(item).forEach((h) => wanted.add(h));
    else if (dep.inventory.hosts.includes(item)) wanted.add(item);
    else throw new DeploymentError(`--limit ${item}: no such host or group in ${dep.inventory.file}`);
  }
  return hosts.filter((h) => wanted.has(h));
}
