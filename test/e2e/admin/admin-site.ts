/**
 * The admin page's browser tests share this: an app served over real HTTP
 * with a config that has every field type, accounts made through the API
 * (admins by a store update, as `methodical user create --admin` does), a
 * signed-in page, an axe-core scan and screenshots in test-output/admin/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { UserConfig } from '../../../src/config/types.js';
import { type TestApp, testApp } from '../../harness.js';
import { browserSkipReason, launchBrowser } from '../browser.js';
import { DESKTOP, screenshots as exampleScreenshots, PHONE, ROOT } from '../example-site.js';

const SHOTS = join(ROOT, 'test-output', 'admin');

/** Every field type, a relation with `onDelete: restrict`, files, selects and relations with and without `multiple`, a hidden field. */
export const ADMIN_CONFIG: UserConfig = {
  collections: {
    authors: {
      fields: {
        name: { type: 'text', required: true, max: 100 },
        born: { type: 'date' },
        notes: { type: 'text', hidden: true },
      },
    },
    books: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        pages: { type: 'integer', min: 1 },
        price: { type: 'number', min: 0 },
        inPrint: { type: 'boolean' },
        published: { type: 'date' },
        contact: { type: 'email' },
        website: { type: 'url' },
        genre: { type: 'select', values: ['fiction', 'science', 'history'] },
        meta: { type: 'json' },
        author: { type: 'relation', collection: 'authors' },
        cover: { type: 'file', maxSize: 2_000_000, accept: ['image/png', 'image/jpeg'] },
        attachments: { type: 'file', multiple: true, maxSize: 2_000_000 },
        labels: { type: 'select', values: ['new', 'signed', 'rare'], multiple: true },
        editors: { type: 'relation', collection: 'authors', multiple: true, onDelete: 'setNull' },
        format: { type: 'select', values: ['paperback', 'hardcover'], default: 'paperback' },
      },
    },
  },
};

export interface Account {
  id: string;
  email: string;
  password: string;
  admin: boolean;
}

export interface AdminSite {
  t: TestApp;
  origin: string;
  /** Register an account through the API (and make it an admin when asked). */
  account(prefix: string, admin?: boolean): Promise<Account>;
  /** A request through the API as `as` (another client than the page), answered as light-my-request answers. */
  request(
    as: Account,
    method: 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: Record<string, unknown>,
  ): Promise<{ statusCode: number; body: string }>;
  /** A record inserted through the API as `admin`, returned as the API answers it. */
  create(collection: string, body: Record<string, unknown>, as: Account): Promise<Record<string, unknown>>;
  /** A record read straight from the store. */
  stored(collection: string, id: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

let made = 0;

export async function startAdminSite(config: UserConfig = ADMIN_CONFIG): Promise<AdminSite> {
  const t = await testApp(config);
  const origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const tokens = new Map<string, string>();
  const token = async (who: Account) => {
    const known = tokens.get(who.email);
    if (known) return known;
    const res = await t.request({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: who.email, password: who.password },
    });
    assert.equal(res.statusCode, 200, res.body);
    const value = JSON.parse(res.body).token as string;
    tokens.set(who.email, value);
    return value;
  };
  const asClient: AdminSite['request'] = async (as, method, url, body) =>
    t.request({ method, url, payload: body, headers: { authorization: `Bearer ${await token(as)}` } });
  return {
    t,
    origin,
    async account(prefix, admin = false) {
      made++;
      const email = `${prefix}${made}.${process.pid}@example.com`;
      const password = `correct horse battery ${made}`;
      const res = await t.request({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email, password },
      });
      assert.equal(res.statusCode, 201, res.body);
      const id = JSON.parse(res.body).id as string;
      if (admin) {
        await t.store.transaction(async (tx) => {
          const user = await tx.get('users', id);
          assert.ok(user);
          await tx.update('users', { ...user, admin: true });
        });
      }
      return { id, email, password, admin };
    },
    async request(as, method, url, body) {
      return t.request({
        method,
        url,
        payload: body,
        headers: { authorization: `Bearer ${await token(as)}` },
      });
    },
    async create(collection, body, as) {
      const res = await asClient(as, 'POST', `/api/${collection}`, body);
      assert.equal(res.statusCode, 201, res.body);
      return JSON.parse(res.body);
    },
    async stored(collection, id) {
      return (await t.store.get(collection, id)) as Record<string, unknown> | undefined;
    },
    close: () => t.close(),
  };
}

/** A fresh browser context and page at desktop size (or `viewport`). */
export async function newPage(
  browser: Browser,
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // Anything the page logs as an error, or a CSP refusal, fails the test that caused it.
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  (page as Page & { problems?: string[] }).problems = problems;
  return { context, page };
}

/** Errors the page logged (script errors, CSP violations) since it opened. */
export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

/** Open /_/ and sign in through its form; waits for the signed-in header. */
export async function signIn(page: Page, site: AdminSite, who: Account, hash = '#/'): Promise<void> {
  await page.goto(`${site.origin}/_/${hash}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('header .who').getByText(who.email).waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.x A/AA rules on the page as it is now: no serious or critical violation. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not cover.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(`axe
    .run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    })
    .then((result) => result.violations)`)) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    [],
    `accessibility of ${screen}`,
  );
}

/** Screenshots of the current page at desktop and phone width, into test-output/admin/. */
export function screenshots(page: Page, name: string): Promise<void> {
  return exampleScreenshots(page, name, SHOTS);
}

/** The page has no horizontal scrollbar: nothing is wider than the window. */
export async function assertFitsWidth(page: Page, what: string): Promise<void> {
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  assert.ok(overflow <= 1, `${what} is ${overflow}px wider than the window`);
}

export interface AdminSuite {
  browser: Browser;
  site: AdminSite;
}

/** describe() with one browser and one admin site for its tests (skipped without Chromium). */
export function adminSuite(name: string, body: (suite: AdminSuite) => void, config?: UserConfig): void {
  const skip = browserSkipReason();
  describe(name, { skip }, () => {
    const suite = {} as AdminSuite;
    before(async () => {
      suite.browser = await launchBrowser();
      suite.site = await startAdminSite(config);
    });
    after(async () => {
      await suite.site?.close();
      await suite.browser?.close();
    });
    body(suite);
  });
}

export { DESKTOP, PHONE };

/**
 * Wait until `expression` is true in the page, polling from here: Playwright's
 * own waitForFunction polls by evaluating strings inside the page, which the
 * admin page's CSP (no 'unsafe-eval') refuses once the first check is false.
 */
export async function waitForTrue(page: Page, expression: string, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await page.evaluate(expression))) {
    assert.ok(Date.now() < end, `timed out waiting for ${what} (${expression})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
