import { section, str } from './option.dsl';

/** `[redis]`: the message bus between services. */
export const redisSection = section('redis', 'Redis server that carries RPC messages between services.', {
  url: str({
    default: 'redis://127.0.0.1:6379/0',
    help: 'Redis URL: redis://[user:password@]host:port/db, or rediss:// for TLS.',
    check: (v) => (/^rediss?:\/\//.test(v) ? undefined : `'${v.replace(/\/\/[^@/]*@/, '//***@')}' is not a redis:// or rediss:// URL`),
  }),
  key_prefix: str({
    default: 'zun',
    help: 'Prefix of every Redis key used, so several deployments can share one Redis server.',
    check: (v) => (v === '' ? 'must not be empty' : undefined),
  }),
});
