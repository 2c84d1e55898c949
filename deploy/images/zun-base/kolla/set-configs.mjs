// Applies Kolla's /var/lib/kolla/config_files/config.json inside a container:
// copies each config_files entry into place with its owner and mode, applies
// `permissions`, and writes the command to /run_command for kolla_start.
//
// KOLLA_CONFIG_STRATEGY: COPY_ALWAYS copies on every start; COPY_ONCE only on the
// first start of the container (then /configured exists). The path of
// config.json is fixed on purpose, as in Kolla (an environment variable naming
// it would let a caller point a root process at any file).
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const CONFIG = '/var/lib/kolla/config_files/config.json';

function fail(msg) {
  console.error(`set-configs: ${msg}`);
  process.exit(1);
}

function ids(owner) {
  const [user, group] = String(owner).split(':');
  const lookup = (file, name) => {
    const line = readFileSync(file, 'utf8').split('\n').find((l) => l.split(':')[0] === name);
    if (!line) fail(`unknown ${file === '/etc/passwd' ? 'user' : 'group'} '${name}'`);
    return line.split(':');
  };
  const pw = lookup('/etc/passwd', user);
  const gid = group ? Number(lookup('/etc/group', group)[2]) : Number(pw[3]);
  return { uid: Number(pw[2]), gid };
}

function mode(perm) {
  const m = /^0?o?([0-7]{3,4})$/.exec(String(perm));
  if (!m) fail(`bad perm '${perm}'`);
  return parseInt(m[1], 8);
}

function setProps(path, entry, recurse = false) {
  if (entry.owner) {
    const { uid, gid } = ids(entry.owner);
    chownSync(path, uid, gid);
  }
  if (entry.perm) {
    let m = mode(entry.perm);
    // a directory needs x wherever the mode grants r
    if (statSync(path).isDirectory()) m |= (m & 0o444) >> 2;
    chmodSync(path, m);
  }
  if (recurse && statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) setProps(join(path, name), entry, true);
  }
}

function copy(src, dest) {
  if (statSync(src).isDirectory()) {
    mkdirSync(dest, { recursive: true });
    for (const name of readdirSync(src)) copy(join(src, name), join(dest, name));
  } else {
    copyFileSync(src, dest);
  }
}

const strategy = process.env.KOLLA_CONFIG_STRATEGY;
if (strategy !== 'COPY_ALWAYS' && strategy !== 'COPY_ONCE') fail('KOLLA_CONFIG_STRATEGY must be COPY_ALWAYS or COPY_ONCE');
if (!existsSync(CONFIG)) fail(`${CONFIG} is missing (mount the service's config directory there)`);
let config;
try {
  config = JSON.parse(readFileSync(CONFIG, 'utf8'));
} catch (err) {
  fail(`${CONFIG}: ${err.message}`);
}
if (typeof config.command !== 'string' || !config.command.trim()) fail('config.json has no command');

if (strategy === 'COPY_ONCE' && existsSync('/configured')) {
  console.error('set-configs: COPY_ONCE and already configured; nothing copied');
} else {
  for (const entry of config.config_files ?? []) {
    if (!entry.source || !entry.dest) fail('every config_files entry needs source and dest');
    if (!entry.preserve_properties && (!entry.owner || !entry.perm)) fail(`${entry.source}: owner and perm are required`);
    if (!existsSync(entry.source)) {
      if (entry.optional) continue;
      fail(`${entry.source} is missing`);
    }
    const dest = entry.dest.endsWith('/') ? join(entry.dest, basename(entry.source)) : entry.dest;
    if (!entry.merge) rmSync(dest, { recursive: true, force: true });
    mkdirSync(dirname(dest), { recursive: true });
    copy(entry.source, dest);
    if (!entry.preserve_properties) setProps(dest, entry, true);
    console.error(`set-configs: ${entry.source} -> ${dest}`);
  }
  for (const entry of config.permissions ?? []) {
    if (!existsSync(entry.path)) {
      console.error(`set-configs: ${entry.path} does not exist; permissions skipped`);
      continue;
    }
    setProps(entry.path, entry, Boolean(entry.recurse));
  }
  if (strategy === 'COPY_ONCE') writeFileSync('/configured', '');
}
writeFileSync('/run_command', `${config.command}\n`, { mode: 0o644 });
