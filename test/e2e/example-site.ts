/**
 * The example app as `npm start` runs it — `methodical serve` on
 * examples/methodical.config.ts in a fresh data folder, a process of its
 * own — with what the end-to-end scenarios need around it: browser
 * contexts with JavaScript on or off, users and admins, a read-only look
 * at the database, and screenshots in test-output/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { run, type Server, serve, tempDir } from '../cli/helpers.js';
import { browserSkipReason, launchBrowser } from './browser.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CONFIG = join(ROOT, 'examples', 'methodical.config.ts');
const SHOTS = join(ROOT, 'test-output', 'screens');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Account {
  email: string;
  password: string;
  name: string;
}

let accounts = 0;

/** A fresh account's details (not yet registered). */
export function newAccount(prefix = 'reader'): Account {
  accounts++;
  return {
    email: `${prefix}${accounts}.${process.pid}@example.com`,
    password: `correct horse ${accounts} battery`,
    name: `${prefix[0].toUpperCase()}${prefix.slice(1)} ${accounts}`,
  };
}

export interface ExampleSite {
  origin: string;
  dir: string;
  server: Server;
  /** Rows of a collection's table, straight from the database file. */
  rows(collection: string, where?: string, ...params: unknown[]): Record<string, unknown>[];
  /** Files stored for a record (blob names, sidecars left out). */
  files(collection: string, id: string): string[];
  /** Make an admin from the shell, as the home page says. */
  createAdmin(account: Account): Promise<void>;
  close(): Promise<void>;
}

/** `methodical serve` of the example, on a free port, in a temp data folder. */
export async function startExample(): Promise<ExampleSite> {
  const { dir, remove } = tempDir('methodical-example-');
  const data = join(dir, 'data');
  const server = await serve(['--config', CONFIG, '--data', data, '--port', '0'], { cwd: ROOT });
  const db = new Database(join(data, 'methodical.db'), { readonly: true, fileMustExist: true });
  return {
    origin: server.url,
    dir: data,
    server,
    rows(collection, where = '1 = 1', ...params) {
      return db.prepare(`SELECT * FROM "${collection}" WHERE ${where}`).all(...params) as Record<
        string,
        unknown
      >[];
    },
    files(collection, id) {
      const folder = join(data, 'files', collection, id);
      return existsSync(folder) ? readdirSync(folder).filter((n) => !n.startsWith('.')) : [];
    },
    async createAdmin(account) {
      const result = await run(
        [
          'user',
          'create',
          '--config',
          CONFIG,
          '--data',
          data,
          '--email',
          account.email,
          '--password',
          account.password,
          '--name',
          account.name,
          '--admin',
        ],
        { cwd: ROOT },
      );
      assert.equal(result.code, 0, result.stderr);
    },
    async close() {
      db.close();
      await server.stop();
      remove();
    },
  };
}

/** A browser context with JavaScript on or off, at desktop size. */
export function context(browser: Browser, js: boolean): Promise<BrowserContext> {
  return browser.newContext({ javaScriptEnabled: js, viewport: DESKTOP });
}

/** The path of the page's URL. */
export function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

/** Register through /register (signing the browser in). */
export async function registerIn(page: Page, site: ExampleSite, account: Account): Promise<void> {
  await page.goto(`${site.origin}/register`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByLabel(/^Name/).fill(account.name);
  await Promise.all([
    page.waitForURL(`${site.origin}/`),
    page.getByRole('button', { name: 'Create account' }).click(),
  ]);
  await assertSignedIn(page, account);
}

/** Sign in through /login. */
export async function signIn(page: Page, site: ExampleSite, account: Account, next = '/'): Promise<void> {
  await page.goto(`${site.origin}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await Promise.all([
    page.waitForURL(`${site.origin}${next}`),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await assertSignedIn(page, account);
}

export async function assertSignedIn(page: Page, account: Account): Promise<void> {
  const who = (await page.locator('header .who').textContent()) ?? '';
  assert.ok(
    who.startsWith(account.email.toLowerCase()),
    `signed in as ${account.email}, the header says ${who}`,
  );
}

/** Screenshots of the current page at desktop and phone width, into test-output/screens/ (or `folder`). */
export async function screenshots(page: Page, name: string, folder = SHOTS): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const size = page.viewportSize();
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(folder, `${name}-${label}.png`), fullPage: true });
  }
  if (size) await page.setViewportSize(size);
}

/** Waits (up to 10 s) for `check` to hold: for effects of a submit whose page reloads at the same URL. */
export async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Double-click a submit button and wait for the page it leads to. Without
 * JavaScript the second submit aborts the first navigation, which is what
 * a real double click does; only the page finally shown counts.
 */
export async function doubleSubmit(page: Page, button: string, url: RegExp | string): Promise<void> {
  await page.getByRole('button', { name: button }).dblclick();
  for (let attempt = 0; ; attempt++) {
    try {
      await page.waitForURL(url);
      return;
    } catch (error) {
      if (attempt >= 3 || !/ERR_ABORTED|frame was detached/.test(String(error))) throw error;
    }
  }
}

/** For each of JavaScript off and on: the label and the flag. */
export const BOTH = [
  ['without JavaScript', false],
  ['with JavaScript', true],
] as const;

/** What a suite of the example's scenarios shares: one browser, one server. */
export interface ExampleSuite {
  browser: Browser;
  site: ExampleSite;
}

/** describe() with a browser and a fresh example server, made before its tests and closed after (skipped without Chromium). */
export function describeExample(name: string, body: (suite: ExampleSuite) => void): void {
  const skip = browserSkipReason();
  if (skip) console.log(skip);
  describe(name, { skip }, () => {
    const suite = {} as ExampleSuite;
    before(async () => {
      [suite.browser, suite.site] = await Promise.all([launchBrowser(), startExample()]);
    });
    after(async () => {
      await suite.browser?.close();
      await suite.site?.close();
    });
    body(suite);
  });
}
