// Quiet, structured output: one line per host and service step, warnings and
// errors prefixed so that a failure names the host, the service and the step.

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processOutput: Output = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

export class Reporter {
  errors = 0;
  warnings = 0;
  constructor(private readonly io: Output) {}

  /** `host  service  step: status` (service may be "-" for host-wide steps). */
  step(host: string, service: string, step: string, status: string): void {
    this.io.out(`${host.padEnd(12)} ${service.padEnd(14)} ${step}: ${status}\n`);
  }

  info(msg: string): void {
    this.io.out(`${msg}\n`);
  }

  warn(msg: string): void {
    this.warnings++;
    this.io.err(`warning: ${msg}\n`);
  }

  error(msg: string): void {
    this.errors++;
    this.io.err(`error: ${msg}\n`);
  }
}
