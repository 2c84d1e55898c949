// The databases and their users (Kolla's mysql_db / mysql_user tasks): SQL run
// by `docker exec` in the mariadb container this tool deployed, as root with
// the password from passwords.yml (in the exec's environment, not its command
// line). Idempotent: IF NOT EXISTS, and the password is set again.
import { SERVICES } from '../catalogue/services';
import { type Deployment } from '../inventory/deployment';
import { type HostEngine } from './host';
import { DeployStepError } from './rollout';

const quote = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const ident = (v: string): string => `\`${v.replace(/`/g, '``')}\``;

/** The SQL that makes a database and a user with every right on it. */
export function databaseSql(name: string, user: string, password: string): string {
  return [
    `CREATE DATABASE IF NOT EXISTS ${ident(name)} CHARACTER SET utf8mb4;`,
    `CREATE USER IF NOT EXISTS ${quote(user)}@'%' IDENTIFIED BY ${quote(password)};`,
    `ALTER USER ${quote(user)}@'%' IDENTIFIED BY ${quote(password)};`,
    `GRANT ALL PRIVILEGES ON ${ident(name)}.* TO ${quote(user)}@'%';`,
  ].join(' ');
}

/** The databases the enabled services need: [name, user, password]. */
export function wantedDatabases(dep: Deployment): [string, string, string][] {
  const { globals: g, passwords: p } = dep;
  const out: [string, string, string][] = [];
  if (g.enable_keystone) out.push(['keystone', 'keystone', p.keystone_database_password]);
  if (g.enable_zun) out.push([g.zun_database_name, g.zun_database_user, p.zun_database_password]);
  return out;
}

export async function createDatabases(dep: Deployment, engine: HostEngine): Promise<string[]> {
  const name = SERVICES['mariadb']?.container_name ?? 'mariadb';
  const made: string[] = [];
  for (const [db, user, password] of wantedDatabases(dep)) {
    const r = await engine.exec(name, ['mariadb', '--protocol=socket', '-uroot', '-e', databaseSql(db, user, password)], [`MYSQL_PWD=${dep.passwords.database_password}`]);
    if (r.code !== 0) throw new DeployStepError(engine.host, 'mariadb', `database ${db}`, `exit ${r.code}: ${r.output.trim()}`);
    made.push(db);
  }
  return made;
}
