// The verbs of zun-kolla, one module each. Only verbs that exist are listed.
import { build } from './build';
import { check } from './check';
import { deploy, reconfigure } from './deploy';
import { upgrade } from './upgrade';
import { destroy } from './destroy';
import { genconfig } from './genconfig';
import { genpwd } from './genpwd';
import { prechecks } from './prechecks';
import { stop } from './stop';
import { type Verb } from './verb';

export const VERBS: readonly Verb[] = [genpwd, prechecks, genconfig, build, deploy, reconfigure, upgrade, check, stop, destroy];
