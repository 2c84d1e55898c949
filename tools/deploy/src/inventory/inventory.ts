// Ansible's INI inventory, as Kolla-Ansible users write it:
//
//   [control]
//   ctl1 ansible_host=10.0.0.11 docker_host=ssh://root@10.0.0.11
//   [compute]
//   cmp[01:03] api_interface_address=10.0.0.2
//   [zun-api:children]
//   control
//   [all:vars]
//   ansible_user=root
//
// Groups nest through `:children`; variables come from `[all:vars]`, then the
// `[<group>:vars]` of outer groups before inner ones, then the host's own line.

/** A mistake in the inventory, named with file and line. */
export class InventoryError extends Error {
  override name = 'InventoryError';
}

interface Group {
  name: string;
  /** Hosts listed directly under the group. */
  hosts: string[];
  children: string[];
  vars: Record<string, string>;
  /** Line of the first header that names the group. */
  line: number;
}

export class Inventory {
  constructor(
    readonly file: string,
    private readonly groups: Map<string, Group>,
    /** Hosts in the order they first appear, with the variables of their own lines. */
    private readonly hostVars: Map<string, Record<string, string>>,
  ) {}

  /** Every host, in file order. */
  get hosts(): string[] {
    return [...this.hostVars.keys()];
  }

  /** Every group name (besides `all`), in file order. */
  get groupNames(): string[] {
    return [...this.groups.keys()].filter((g) => g !== 'all');
  }

  hasGroup(name: string): boolean {
    return name === 'all' || this.groups.has(name);
  }

  /** The hosts of a group and of its children, in file order; [] for an unknown group. */
  hostsOf(group: string): string[] {
    if (group === 'all') return this.hosts;
    const found = new Set<string>();
    const visit = (name: string): void => {
      const g = this.groups.get(name);
      if (!g) return;
      g.hosts.forEach((h) => found.add(h));
      g.children.forEach(visit);
    };
    visit(group);
    return this.hosts.filter((h) => found.has(h));
  }

  /** The groups a host belongs to, directly or through children. */
  groupsOf(host: string): string[] {
    return this.groupNames.filter((g) => this.hostsOf(g).includes(host));
  }

  /** The variables of a host: all:vars < outer group vars < inner group vars < the host's line. */
  varsOf(host: string): Record<string, string> {
    const own = this.hostVars.get(host);
    if (!own) throw new InventoryError(`${this.file}: no host "${host}" in the inventory`);
    const depth = (name: string, seen: string[] = []): number => {
      const parents = [...this.groups.values()].filter((g) => g.children.includes(name) && !seen.includes(g.name));
      return parents.length ? 1 + Math.max(...parents.map((p) => depth(p.name, [...seen, name]))) : 0;
    };
    const groups = this.groupsOf(host).sort((a, b) => depth(a) - depth(b));
    return Object.assign({}, this.groups.get('all')?.vars, ...groups.map((g) => this.groups.get(g)?.vars), own);
  }
}

/** `web[01:03]` → web01, web02, web03; `node-[a:c]` → node-a … node-c. */
export function expandHostPattern(pattern: string): string[] {
  const m = /^(.*)\[([0-9]+|[a-z]):([0-9]+|[a-z])\](.*)$/.exec(pattern);
  if (!m) return [pattern];
  const [, head, from, to, tail] = m as unknown as [string, string, string, string, string];
  const out: string[] = [];
  if (/^[0-9]+$/.test(from) && /^[0-9]+$/.test(to)) {
    const width = from.length;
    for (let i = Number(from); i <= Number(to); i++) out.push(...expandHostPattern(`${head}${String(i).padStart(width, '0')}${tail}`));
  } else if (/^[a-z]$/.test(from) && /^[a-z]$/.test(to)) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) out.push(...expandHostPattern(`${head}${String.fromCharCode(c)}${tail}`));
  } else {
    return [pattern];
  }
  return out;
}

/** Splits `a=1 b="two words"` into variables; throws on a word without `=`. */
function parseVars(words: string, where: string): Record<string, string> {
  const vars: Record<string, string> = {};
  const re = /\s*([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)|\s*(\S+)/g;
  for (let m = re.exec(words); m; m = re.exec(words)) {
    if (m[3] !== undefined) throw new InventoryError(`${where}: expected key=value, got ${JSON.stringify(m[3])}`);
    let value = m[2] ?? '';
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    vars[m[1] as string] = value;
  }
  return vars;
}

const GROUP_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses an INI inventory. Errors name the file and line: a host before any
 * group header (in no group), a `:children` entry or `:vars` section naming a
 * group defined nowhere, a group that contains itself, a malformed line.
 */
export function parseInventory(text: string, file: string): Inventory {
  const groups = new Map<string, Group>([['all', { name: 'all', hosts: [], children: [], vars: {}, line: 0 }]]);
  const hostVars = new Map<string, Record<string, string>>();
  const childRefs: { parent: string; child: string; line: number }[] = [];
  const varSections: { group: string; line: number; vars: Record<string, string> }[] = [];
  const group = (name: string, line: number): Group => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { name, hosts: [], children: [], vars: {}, line }));
    return g;
  };
  let section: { name: string; kind: 'hosts' | 'children' | 'vars' } | null = null;
  for (const [i, raw] of text.replace(/^\uFEFF/, '').split(/\r?\n/).entries()) {
    const n = i + 1;
    const where = `${file}:${n}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const m = /^\[([^\]:\s]+)(?::(children|vars))?\]$/.exec(line);
      if (!m?.[1] || !GROUP_NAME.test(m[1])) throw new InventoryError(`${where}: bad section header ${JSON.stringify(line)} (expected [group], [group:children] or [group:vars])`);
      const kind = (m[2] ?? 'hosts') as 'hosts' | 'children' | 'vars';
      section = { name: m[1], kind };
      if (kind === 'vars') varSections.push({ group: m[1], line: n, vars: {} });
      else group(m[1], n);
      continue;
    }
    if (!section) {
      const host = line.split(/\s+/)[0];
      throw new InventoryError(`${where}: host "${host}" is in no group (list hosts under a [group] header)`);
    }
    if (section.kind === 'children') {
      if (!GROUP_NAME.test(line)) throw new InventoryError(`${where}: ${JSON.stringify(line)} is not a group name`);
      childRefs.push({ parent: section.name, child: line, line: n });
      continue;
    }
    if (section.kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) throw new InventoryError(`${where}: expected key=value in [${section.name}:vars], got ${JSON.stringify(line)}`);
      let value = line.slice(eq + 1).trim();
      if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
      (varSections[varSections.length - 1] as { vars: Record<string, string> }).vars[line.slice(0, eq).trim()] = value;
      continue;
    }
    const [pattern = '', ...rest] = line.split(/\s+/);
    const vars = parseVars(rest.join(' '), where);
    if (groups.has(pattern) && section.name !== pattern) {
      throw new InventoryError(`${where}: "${pattern}" is a group name; list it under [${section.name}:children] to nest groups`);
    }
    for (const host of expandHostPattern(pattern)) {
      hostVars.set(host, { ...hostVars.get(host), ...vars });
      const g = group(section.name, n);
      if (!g.hosts.includes(host)) g.hosts.push(host);
    }
  }
  for (const ref of childRefs) {
    const parent = groups.get(ref.parent) as Group;
    if (!groups.has(ref.child) || ref.child === 'all') {
      throw new InventoryError(`${file}:${ref.line}: [${ref.parent}:children] names unknown group "${ref.child}"`);
    }
    if (!parent.children.includes(ref.child)) parent.children.push(ref.child);
  }
  for (const v of varSections) {
    const g = groups.get(v.group);
    if (!g) throw new InventoryError(`${file}:${v.line}: [${v.group}:vars] is for unknown group "${v.group}"`);
    Object.assign(g.vars, v.vars);
  }
  // a group may not contain itself through its children
  const check = (name: string, path: string[]): void => {
    for (const c of groups.get(name)?.children ?? []) {
      if (path.includes(c)) throw new InventoryError(`${file}:${groups.get(c)?.line ?? 0}: group "${c}" contains itself (${[...path, c].join(' -> ')})`);
      check(c, [...path, c]);
    }
  };
  for (const name of groups.keys()) check(name, [name]);
  for (const [name, g] of groups) {
    if (name !== 'all' && hostVars.has(name)) throw new InventoryError(`${file}:${g.line}: "${name}" is both a host and a group`);
  }
  return new Inventory(file, groups, hostVars);
}
