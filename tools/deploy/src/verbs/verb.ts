// What every verb module exports.
import { type CliOptions } from '../cli/args';
import { type Output } from '../cli/report';
import type Docker from 'dockerode';
import { type Endpoint } from '../docker/endpoint';
import { type Engines } from '../docker/engine';

export interface VerbContext {
  opts: CliOptions;
  io: Output;
  /** Reaches each host's Docker engine (a fake in unit tests). */
  engines: Engines;
  /** A dockerode client for a host's endpoint (deploy, check, stop, destroy). */
  connect: (e: Endpoint) => Docker;
}

export interface Verb {
  name: string;
  /** One line for --help. */
  summary: string;
  /** Runs the verb; resolves to the exit code. */
  run(ctx: VerbContext): Promise<number>;
}
