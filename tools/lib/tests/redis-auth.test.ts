// tools/stack's Redis requires a password: tools/lib/redis.sh makes one once (mode 600), starts redis-server with
// it, and REDIS_URL (what zun.conf and ZUN_TEST_REDIS_URL get) carries it. Runs the shell functions on a state
// directory and a port of the test's own, never the stack's Redis.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { freePort, repoRoot, tmpDir } from '@zun-ts/testing';

const run = promisify(execFile);
const state = tmpDir('zun-redis-auth-');

/** Runs `script` in bash after sourcing common.sh and redis.sh with this test's STATE and REDIS_PORT. */
async function redisSh(port: number, script: string): Promise<string> {
  return (await redisShBoth(port, script)).stdout.trim();
}

/** The same, with both outputs. */
async function redisShBoth(port: number, script: string): Promise<{ stdout: string; stderr: string }> {
  const lib = join(repoRoot(), 'tools', 'lib');
  return run('bash', ['-c', `set -euo pipefail; . "${lib}/common.sh"; . "${lib}/redis.sh"; ${script}`], {
    env: { ...process.env, STATE: state.path, REDIS_PORT: String(port) },
    timeout: 60_000,
  });
}

let port = 0;
after(async () => {
  if (port) await redisSh(port, 'stop_redis').catch(() => undefined);
  await state.cleanup();
});

test('the stack\'s Redis refuses a client without the password (NOAUTH) and serves the URL with it', async () => {
  port = await freePort();
  const url = await redisSh(port, 'mkdir -p "$STATE/log"; ensure_redis >&2; printf %s "$REDIS_URL"');
  const password = readFileSync(join(state.path, 'redis', 'password'), 'utf8');
  assert.match(password, /^[0-9a-f]{48}$/);
  assert.equal(statSync(join(state.path, 'redis', 'password')).mode & 0o777, 0o600);
  assert.equal(statSync(join(state.path, 'redis', 'redis.conf')).mode & 0o777, 0o600);
  assert.equal(url, `redis://:${password}@127.0.0.1:${port}/0`);

  const anonymous = new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  anonymous.on('error', () => undefined);
  await anonymous.connect();
  await assert.rejects(anonymous.ping(), /NOAUTH/);
  anonymous.disconnect();

  const client = new Redis(url);
  assert.equal(await client.ping(), 'PONG');
  client.disconnect();

  // the password is made once: a second source (a later `tools/stack` run) gives the same URL
  assert.equal(await redisSh(port, 'printf %s "$REDIS_URL"'), url);
  // and the command line does not show it
  const pid = readFileSync(join(state.path, 'redis', 'redis.pid'), 'utf8').trim();
  assert.ok(!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(password), 'the password is not on redis-server\'s command line');
});

test('a Redis an older stack started without a password is restarted with one, and the start line hides the password', async () => {
  // the first test's Redis runs with the password; take it away as an older stack's would be
  assert.ok(port, 'the first test started Redis');
  await redisSh(port, 'stop_redis >&2');
  const bare = await redisShBoth(
    port,
    'spawn "$REDIS_PIDFILE" "$REDIS_LOG" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --save "" --logfile "" >&2; ' +
      'wait_until 20 "$REDIS_PIDFILE" redis "$REDIS_LOG" tcp_open 127.0.0.1 "$REDIS_PORT" >&2; cat "$REDIS_PIDFILE"',
  );
  const oldPid = bare.stdout.trim();
  const { stdout, stderr } = await redisShBoth(port, 'ensure_redis 2>&1; printf %s "$REDIS_URL" >&2');
  const password = readFileSync(join(state.path, 'redis', 'password'), 'utf8');
  const newPid = readFileSync(join(state.path, 'redis', 'redis.pid'), 'utf8').trim();
  assert.notEqual(newPid, oldPid, 'the password-less redis-server was replaced');
  const client = new Redis(`redis://:${password}@127.0.0.1:${port}/0`);
  assert.equal(await client.ping(), 'PONG');
  client.disconnect();
  assert.match(stdout, /restarting it/);
  assert.match(stdout, /redis: started .*redis:\/\/:\*\*\*@127\.0\.0\.1/);
  assert.ok(!stdout.includes(password), 'the start line does not show the password');
  assert.ok(stderr.includes(password), 'REDIS_URL itself still carries it');
});

test('a shell that read REDIS_URL before the password existed gets the password URL from redis_set_url (tools/stack test exported a URL without it on a fresh state)', async () => {
  assert.ok(port, 'the first test started Redis');
  const fresh = tmpDir('zun-redis-fresh-');
  try {
    const lib = join(repoRoot(), 'tools', 'lib');
    // as tools/stack test: source redis.sh on a fresh state, let a child `up` make the password, then export
    const script =
      `set -euo pipefail; . "${lib}/common.sh"; . "${lib}/redis.sh"; before=$REDIS_URL; ` +
      `mkdir -p "$STATE/redis"; printf %s 0123456789abcdef0123456789abcdef0123456789abcdef >"$REDIS_PASSWORD_FILE"; ` +
      `redis_set_url; printf '%s\\n%s' "$before" "$REDIS_URL"`;
    const { stdout } = await run('bash', ['-c', script], { env: { ...process.env, STATE: fresh.path, REDIS_PORT: '6999' }, timeout: 30_000 });
    const [before, afterUp] = stdout.split('\n');
    assert.equal(before, 'redis://127.0.0.1:6999/0', 'before the password exists the URL has none');
    assert.equal(afterUp, 'redis://:0123456789abcdef0123456789abcdef0123456789abcdef@127.0.0.1:6999/0');
  } finally {
    await fresh.cleanup();
  }
  // and tools/stack test calls it between `up` and the export
  const stack = readFileSync(join(repoRoot(), 'tools', 'stack'), 'utf8');
  assert.match(stack, /redis_set_url\n\s*export ZUN_TEST_REDIS_URL="\$REDIS_URL"/);
});
