// The verbs of zun-kolla, one module each. Only verbs that exist are listed.
import { genconfig } from './genconfig';
import { genpwd } from './genpwd';
import { prechecks } from './prechecks';
import { type Verb } from './verb';

export const VERBS: readonly Verb[] = [genpwd, prechecks, genconfig];
