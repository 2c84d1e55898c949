import { bool, int, section, str } from './option.dsl';

const SCHEMES = /^(sqlite|mysql|mysql\+pymysql):\/\//;

/** `[database]`: where the services that own state keep it. */
export const databaseSection = section('database', 'Database of the API, conductor and scheduler.', {
  connection: str({
    default: 'sqlite:///$state_path/zun.sqlite',
    help: 'Database URL: sqlite:///<absolute path> (or sqlite:///:memory:), or mysql://user:password@host:port/' +
      'database (mysql+pymysql:// is accepted too). Compute hosts do not use it.',
    check: (v) => (SCHEMES.test(v) ? undefined : `'${v.replace(/\/\/[^@/]*@/, '//***@')}' is not a sqlite:// or mysql:// URL`),
  }),
  max_pool_size: int({ default: 10, min: 1, help: 'Largest number of open connections per process.' }),
  connection_debug: bool({ default: false, help: 'Log every SQL statement (very verbose).' }),
});
