// The real zun client in a real terminal (tmux) against the running stack: `zun run -i`, `zun attach` and
// `zun exec -i` reach a shell in the container through zun-wsproxy; the TTY follows the window; leaving
// leaves the container as Zun would (exit → Stopped, detach → Running, exec exit → no process behind).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openrcEnv, parseShow, requireEnv, runZun, sleep, tmpDir, waitFor } from '@zun-ts/testing';

const USER = 'demo';

/** `http://<[api] host_ip>:<port>/v1` of the stack's zun.conf: the endpoint the client is pointed at. */
function apiEndpoint(stateDir: string): string {
  const text = readFileSync(join(stateDir, 'zun.conf'), 'utf8');
  const api = /^\[api\]$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1] ?? '';
  const opt = (name: string): string | undefined => new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(api)?.[1];
  const host = opt('host_ip') ?? '127.0.0.1';
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${opt('port') ?? '9517'}/v1`;
}

/** A tmux server of this test only (own socket), whose windows run the client. */
class Terminal {
  private readonly dir = tmpDir('zun-e2e-tmux-');
  private readonly socket = this.dir.join('tmux.sock');

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Runs `argv` in a new window of `width`×`height`; the exit status is printed as `CLI-EXIT=<n>`. */
  open(name: string, argv: string[], env: Record<string, string>, width: number, height: number): void {
    const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.tmux('new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), ...envArgs, `${quoted}; echo "CLI-EXIT=$?"; exec sleep 600`);
  }

  screen(name: string): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-100', '-t', name);
  }

  /** Types `text` and presses Enter. */
  type(name: string, text: string): void {
    this.tmux('send-keys', '-t', name, '-l', text);
    this.tmux('send-keys', '-t', name, 'Enter');
  }

  keys(name: string, ...keys: string[]): void {
    for (const k of keys) this.tmux('send-keys', '-t', name, k);
  }

  /** Resizes the window: the client gets SIGWINCH, as when a user drags their terminal. */
  resize(name: string, width: number, height: number): void {
    this.tmux('resize-window', '-t', name, '-x', String(width), '-y', String(height));
  }

  /** Waits until the screen matches; returns the match. */
  async until(name: string, re: RegExp, what: string, timeoutMs = 60_000): Promise<RegExpExecArray> {
    return waitFor(() => re.exec(this.screen(name)), { what, timeoutMs, intervalMs: 200, context: () => `screen:\n${this.screen(name)}` });
  }

  async kill(): Promise<void> {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    await this.dir.cleanup();
  }
}

describe('zun run -i / attach / exec -i through zun-wsproxy (real client, real terminal)', () => {
  const state = requireEnv('ZUN_TEST_STACK_STATE', '<repo>/.stack');
  const suffix = randomUUID().slice(0, 6);
  const boxes = { run: `e2e-run-${suffix}`, attach: `e2e-attach-${suffix}` };
  const term = new Terminal();
  let endpoint = '';
  let env: Record<string, string> = {};
  const zun = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    runZun(state, USER, ['--bypass-url', endpoint, ...args], { timeoutMs: 60_000 });
  const status = async (name: string): Promise<string> => {
    const r = await zun('show', name);
    assert.equal(r.code, 0, r.stderr);
    return parseShow(r.stdout)['status'] ?? '';
  };
  /** Shells running in the container (`ps` through a plain `zun exec`). */
  const shells = async (name: string): Promise<number> => {
    const r = await zun('exec', name, 'ps');
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => /^\s*\d+\s+\S+\s+sh\s*$/.test(l)).length;
  };

  before(() => {
    endpoint = apiEndpoint(state);
    env = { ...openrcEnv(state, USER), LANG: 'C.UTF-8', TERM: 'xterm' };
  });

  after(async () => {
    await term.kill();
    for (const name of Object.values(boxes)) await zun('delete', '--stop', name).catch(() => undefined);
  });

  test('zun run -i drops into the shell; stty follows the window; exit leaves the container Stopped', async () => {
    term.open('run', ['zun', '--bypass-url', endpoint, 'run', '-i', '--name', boxes.run, 'busybox', 'sh'], env, 100, 30);
    await term.until('run', /connected to [0-9a-f-]{36}, press Enter to continue/, 'the client to connect');
    term.type('run', '');
    term.type('run', 'stty size');
    await term.until('run', /^30 100\s*$/m, 'the initial window size inside the container');
    term.resize('run', 90, 25);
    await sleep(500);
    term.type('run', 'stty size; echo "e2e-$((6*7))"');
    await term.until('run', /^25 90\s*$/m, 'the new window size');
    await term.until('run', /^e2e-42\s*$/m, 'the command output');
    term.type('run', 'exit');
    await term.until('run', /CLI-EXIT=0/, 'the client to end when the shell exits');
    await waitFor(async () => (await status(boxes.run)) === 'Stopped', { what: `${boxes.run} Stopped`, timeoutMs: 60_000 });
  });

  test('zun attach to a running container, then detach (Ctrl-P Ctrl-Q): it keeps running', async () => {
    const created = await zun('create', '-i', '--name', boxes.attach, 'busybox', 'sh');
    assert.equal(created.code, 0, created.stderr);
    await waitFor(async () => (await status(boxes.attach)) === 'Created', { what: `${boxes.attach} Created`, timeoutMs: 60_000 });
    assert.equal((await zun('start', boxes.attach)).code, 0);
    await waitFor(async () => (await status(boxes.attach)) === 'Running', { what: `${boxes.attach} Running`, timeoutMs: 60_000 });

    term.open('attach', ['zun', '--bypass-url', endpoint, 'attach', boxes.attach], env, 120, 40);
    await term.until('attach', new RegExp(`connected to ${boxes.attach}, press Enter to continue`), 'the client to connect');
    term.type('attach', '');
    term.type('attach', 'stty size');
    await term.until('attach', /^40 120\s*$/m, 'the window size');
    term.resize('attach', 100, 35);
    await sleep(500);
    term.type('attach', 'stty size; touch /tmp/attached');
    await term.until('attach', /^35 100\s*$/m, 'the new window size');
    // Docker's detach keys end the attach; the container's shell goes on.
    term.keys('attach', 'C-p', 'C-q');
    await term.until('attach', /CLI-EXIT=0/, 'the client to end on detach');
    await sleep(1000);
    assert.equal(await status(boxes.attach), 'Running');
    const ls = await zun('exec', boxes.attach, 'ls', '/tmp');
    assert.match(ls.stdout, /attached/, 'what was typed ran in the container');
  });

  test('zun exec -i runs a second shell beside the first; resize reaches it; exit leaves nothing behind', async () => {
    assert.equal(await shells(boxes.attach), 1);
    term.open('exec', ['zun', '--bypass-url', endpoint, 'exec', '-i', boxes.attach, 'sh'], env, 110, 33);
    await term.until('exec', new RegExp(`connected to ${boxes.attach}, press Enter to continue`), 'the client to connect');
    term.type('exec', '');
    // as a person would: type once the new shell shows its prompt (ash drops what arrives before)
    await term.until('exec', /^\/ # /m, 'the exec shell prompt');
    term.type('exec', 'stty size; echo "pid=$$"');
    await term.until('exec', /^33 110\s*$/m, 'the exec TTY size');
    const pid = (await term.until('exec', /^pid=(\d+)\s*$/m, 'the exec shell pid'))[1];
    assert.notEqual(pid, '1', 'a new process, not the container\'s own shell');
    assert.equal(await shells(boxes.attach), 2);
    term.resize('exec', 95, 28);
    await sleep(500);
    term.type('exec', 'stty size');
    await term.until('exec', /^28 95\s*$/m, 'the resized exec TTY');
    term.type('exec', 'exit');
    await term.until('exec', /CLI-EXIT=0/, 'the client to end when the exec shell exits');
    assert.equal(await status(boxes.attach), 'Running', 'ending an exec does not stop the container');
    await waitFor(async () => (await shells(boxes.attach)) === 1, { what: 'the exec shell to be gone', timeoutMs: 10_000 });
  });
});
