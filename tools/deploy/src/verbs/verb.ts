// What every verb module exports.
import { type CliOptions } from '../cli/args';
import { type Output } from '../cli/report';
import { type Engines } from '../docker/engine';

export interface VerbContext {
  opts: CliOptions;
  io: Output;
  /** Reaches each host's Docker engine (a fake in unit tests). */
  engines: Engines;
}

export interface Verb {
  name: string;
  /** One line for --help. */
  summary: string;
  /** Runs the verb; resolves to the exit code. */
  run(ctx: VerbContext): Promise<number>;
}
