// End to end: the web console in a real headless Chromium (Debian's chromium, driven by puppeteer-core) against a
// zun-api, conductor, scheduler, compute and wsproxy of this checkout beside the running stack (its Keystone users).
// Screenshots of each step are kept in a temporary directory whose path is printed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { openrcEnv, repoRoot, uniqueName, waitFor } from '@zun-ts/testing';
import { PrivateZun } from './fixtures/private-zun';
import { type StackUser, stackState } from './fixtures/stack-cli';

/**
 * The part of the browser's DOM that the functions run in the page use: this file is type-checked without the DOM
 * library, and these functions run in the page, where `document` is the page's.
 */
interface PageElement {
  textContent: string | null;
  disabled?: boolean;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
declare const document: PageElement;

const CHROMIUM = process.env['ZUN_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
const SETTLE_MS = 120_000;
const run = promisify(execFile);

void describe('web console in a headless browser', { concurrency: 1 }, () => {
  let pz: PrivateZun;
  let browser: Browser;
  let page: Page;
  let consoleUrl = '';
  const shots = mkdtempSync(join(tmpdir(), 'zun-dashboard-shots-'));
  const created: string[] = [];
  let navigations = 0;

  const shot = async (p: Page, name: string): Promise<void> => {
    await p.screenshot({ path: join(shots, `${name}.png`) });
  };

  /** A page of its own (own storage) logged in as `user`. */
  async function loggedIn(user: StackUser, password?: string): Promise<Page> {
    const rc = openrcEnv(stackState(), user);
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    await p.setViewport({ width: 1280, height: 800 });
    p.on('dialog', (d) => void d.accept());
    await p.goto(consoleUrl, { waitUntil: 'load' });
    await p.waitForSelector('#login-form');
    await p.type('#username', rc['OS_USERNAME'] ?? user);
    await p.type('#password', password ?? rc['OS_PASSWORD'] ?? '');
    await p.type('#project', rc['OS_PROJECT_NAME'] ?? user);
    await p.click('#login-submit');
    return p;
  }

  /** The uuid of the row named `name`, once it is in the table. */
  async function rowOf(p: Page, name: string): Promise<string> {
    const handle = await p.waitForFunction(
      (n) => [...document.querySelectorAll('#containers tr[data-uuid]')].find((tr) => tr.querySelector('.name')?.textContent === n)?.getAttribute('data-uuid'),
      { timeout: 30_000 },
      name,
    );
    return String(await handle.jsonValue());
  }

  const statusIs = (p: Page, uuid: string, status: string): Promise<unknown> =>
    p.waitForSelector(`#containers tr[data-uuid="${uuid}"][data-status="${status}"]`, { timeout: SETTLE_MS });

  async function createFromForm(p: Page, fields: { name: string; image: string; command: string; memory?: string }): Promise<string> {
    await p.type('#create-form input[name=name]', fields.name);
    await p.type('#create-form input[name=image]', fields.image);
    await p.type('#create-form input[name=command]', fields.command);
    if (fields.memory) await p.type('#create-form input[name=memory]', fields.memory);
    await p.click('#create-submit');
    const uuid = await rowOf(p, fields.name);
    created.push(uuid);
    return uuid;
  }

  before(async () => {
    await run(process.execPath, ['tools/build.mjs', 'dashboard'], { cwd: repoRoot() });
    pz = await PrivateZun.start({}, { wsproxy: true });
    consoleUrl = pz.endpoint.replace(/\/v1$/, '/dashboard/');
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    process.stdout.write(`# screenshots: ${shots}\n`);
  });
  after(async () => {
    await browser?.close();
    for (const uuid of created) await pz?.zun('demo', 'delete', '--force', uuid);
    await pz?.stop();
  });

  test('a bad password shows an error on the login form', async () => {
    page = await loggedIn('demo', 'not-the-password');
    await page.waitForFunction(() => /not valid/.test(document.querySelector('#login-error')?.textContent ?? ''), { timeout: 30_000 });
    await shot(page, '01-bad-password');
    assert.equal(await page.$('#containers'), null, 'the console opened with a bad password');
    await page.browserContext().close();
  });

  test('a token the API refuses (expired, revoked) goes back to the login form with a message', async () => {
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    await p.goto(consoleUrl, { waitUntil: 'load' });
    const stale = { token: 'not-a-token', expires_at: null, user: { id: 'u', name: 'demo' }, project: { id: 'p', name: 'demo' }, roles: ['member'] };
    await p.evaluate((v) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('zun-console-session', v), JSON.stringify(stale));
    await p.reload({ waitUntil: 'load' });
    await p.waitForFunction(() => /session has expired/.test(document.querySelector('#login-error')?.textContent ?? ''), { timeout: 30_000 });
    await ctx.close();
  });

  void describe('demo', { concurrency: 1 }, () => {
    const sleeper = uniqueName('web');
    const talker = uniqueName('webecho');
    let uuid = '';

    test('logs in, creates a busybox container from the form and sees it reach Running without reloading', async () => {
      page = await loggedIn('demo');
      await page.waitForSelector('#create-form');
      page.on('framenavigated', (f) => {
        if (f === page.mainFrame()) navigations++;
      });
      uuid = await createFromForm(page, { name: sleeper, image: 'busybox', command: 'sleep 300', memory: '64' });
      await statusIs(page, uuid, 'Running');
      assert.equal(navigations, 0, 'the page was reloaded');
      assert.match(await page.$eval('#who', (e) => e.textContent ?? ''), /^demo @ demo/);
      await shot(page, '02-running');
    });

    test('the terminal runs echo hi in the container and shows hi', async () => {
      await page.click(`#containers tr[data-uuid="${uuid}"] button[data-action=terminal]`);
      await page.waitForFunction(() => /^\/bin\/sh in /.test(document.querySelector('#terminal-status')?.textContent ?? ''), { timeout: 30_000 });
      await page.click('#terminal');
      await page.keyboard.type('echo hi');
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () => [...document.querySelectorAll('#terminal .xterm-rows > div')].some((row) => (row.textContent ?? '').trim() === 'hi'),
        { timeout: 30_000 },
      );
      await shot(page, '03-terminal');
      await page.click('#panel-close');
    });

    test('Logs shows the output of a container that echoes', async () => {
      const other = await createFromForm(page, { name: talker, image: 'busybox', command: "sh -c 'echo hello from the console; sleep 300'" });
      await statusIs(page, other, 'Running');
      await page.click(`#containers tr[data-uuid="${other}"] button[data-action=logs]`);
      await page.waitForFunction(() => /hello from the console/.test(document.querySelector('#logs-output')?.textContent ?? ''), { timeout: 30_000 });
      await shot(page, '04-logs');
    });

    test('Stop, then Start change the status shown', async () => {
      await page.click(`#containers tr[data-uuid="${uuid}"] button[data-action=stop]`);
      await statusIs(page, uuid, 'Stopped');
      await page.waitForFunction((u) => !document.querySelector(`#containers tr[data-uuid="${u}"] button[data-action=start]`)?.disabled, {}, uuid);
      await page.click(`#containers tr[data-uuid="${uuid}"] button[data-action=start]`);
      await statusIs(page, uuid, 'Running');
    });

    test('alt_demo sees none of demo\'s containers', async () => {
      const alt = await loggedIn('alt_demo');
      await alt.waitForSelector('#containers tbody tr');
      // two polls, so that a late row would have appeared
      await new Promise((r) => setTimeout(r, 4500));
      const rows = await alt.$$eval('#containers tr[data-uuid]', (trs) => trs.map((tr) => tr.getAttribute('data-uuid')));
      for (const u of created) assert.ok(!rows.includes(u), `alt_demo sees ${u}`);
      assert.match(await alt.$eval('#who', (e) => e.textContent ?? ''), /^alt_demo @ alt_demo/);
      assert.equal(await alt.$('#tab-services'), null, 'a member sees the admin tabs');
      await shot(alt, '05-alt-demo');
      await alt.browserContext().close();
    });

    test('admin sees the services tab with this zun-compute up, and the hosts', async () => {
      const admin = await loggedIn('admin');
      await admin.waitForSelector('#tab-services');
      await admin.click('#tab-services');
      await admin.waitForFunction(
        (host) => [...document.querySelectorAll('#services tbody tr')].some((tr) => {
          const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent);
          return cells[0] === host && cells[1] === 'zun-compute' && cells[2] === 'up';
        }),
        { timeout: 30_000 },
        pz.host,
      );
      await shot(admin, '06-services');
      await admin.click('#tab-hosts');
      await admin.waitForFunction((host) => [...document.querySelectorAll('#hosts tbody td:first-child')].some((td) => td.textContent === host), { timeout: 30_000 }, pz.host);
      await shot(admin, '07-hosts');
      await admin.browserContext().close();
    });

    test('Delete removes the rows (running containers are stopped first)', async () => {
      for (const u of [...created]) {
        await page.click(`#containers tr[data-uuid="${u}"] button[data-action=delete]`);
        await page.waitForSelector(`#containers tr[data-uuid="${u}"]`, { hidden: true, timeout: SETTLE_MS });
        created.splice(created.indexOf(u), 1);
      }
      await waitFor(async () => (await pz.zun('demo', 'list')).stdout.includes(uuid) === false, { timeoutMs: 30_000, what: 'the container gone from zun list' });
      await shot(page, '08-deleted');
    });
  });
});
