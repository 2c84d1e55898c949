// genpwd: fills passwords.yml with a random value for every key that has none
// (Kolla's kolla-genpwd). Existing values are never changed; the file stays 0600.
import { passwordsFile } from '../cli/load';
import { Reporter } from '../cli/report';
import { PASSWORD_KEYS, generatePasswords } from '../inventory/passwords';
import { type Verb } from './verb';

export const genpwd: Verb = {
  name: 'genpwd',
  summary: 'generate passwords.yml (only keys without a value; never overwrites)',
  run(ctx) {
    const file = passwordsFile(ctx.opts);
    const added = generatePasswords(file);
    new Reporter(ctx.io).info(`${file}: ${added.length} new, ${PASSWORD_KEYS.length - added.length} kept${added.length ? ` (${added.join(', ')})` : ''}`);
    return Promise.resolve(0);
  },
};
