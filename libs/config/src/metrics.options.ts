import { bool, port, section, str } from './option.dsl';

const portOf = (binary: string, def: number): ReturnType<typeof port> =>
  port({ default: def, help: `TCP port of ${binary}'s metrics endpoint (GET /metrics). 0 turns it off.` });

/** `[metrics]`: the Prometheus endpoint every service serves. */
export const metricsSection = section('metrics', 'Prometheus metrics: each service serves GET /metrics on its own port.', {
  enabled: bool({ default: true, help: 'Serve metrics at all.' }),
  host: str({ default: '127.0.0.1', help: 'Address the metrics endpoints listen on (0.0.0.0 to let a Prometheus on another machine scrape them).' }),
  api_port: portOf('zun-api', 9610),
  conductor_port: portOf('zun-conductor', 9611),
  scheduler_port: portOf('zun-scheduler', 9612),
  compute_port: portOf('zun-compute', 9613),
  wsproxy_port: portOf('zun-wsproxy', 9614),
});
