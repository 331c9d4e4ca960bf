/**
 * Realtime in a real browser: Chromium's own EventSource, signed in with
 * the session cookie, hears its user's changes and no one else's, and
 * after the server cuts the connection it reconnects by itself with
 * Last-Event-ID and is replayed what was written meanwhile, once.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PUBLIC_RULES } from '../harness.js';
import { registerAndLogin, type User } from '../http/auth-helpers.js';
import { browserSkipReason, launchBrowser, type ServedApp, serveApp } from './browser.js';

const OWNED = { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' };
const CONFIG = {
  collections: {
    notes: {
      fields: { text: { type: 'text' as const }, owner: { type: 'relation' as const, collection: 'users' } },
      rules: OWNED,
    },
    books: { fields: { title: { type: 'text' as const } }, rules: PUBLIC_RULES },
  },
};

interface Seen {
  events: { type: string; id: string; data: Record<string, unknown> }[];
  opens: number;
}

const skip = browserSkipReason();

describe('realtime in the browser (EventSource)', { skip }, () => {
  let site: ServedApp;
  let browser: Browser;
  let page: Page;
  let me: User;
  let other: User;
  const sockets = new Set<Socket>();
  const lastEventIds: (string | undefined)[] = [];

  before(async () => {
    site = await serveApp(CONFIG, { 'index.html': '<!doctype html><title>rt</title><p>realtime</p>' });
    site.app.server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    site.app.server.on('request', (req) => {
      if (req.url?.startsWith('/api/realtime'))
        lastEventIds.push(req.headers['last-event-id'] as string | undefined);
    });
    me = await registerAndLogin(site, 'browser@example.com');
    other = await registerAndLogin(site, 'other@example.com');
    browser = await launchBrowser();
    page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${site.origin}/`);
    // Sign in as a browser does: the session cookie.
    const login = await page.evaluate(
      async ({ email, password }) =>
        (
          await fetch('/api/auth/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password }),
          })
        ).status,
      { email: me.email, password: me.password },
    );
    assert.equal(login, 200);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  const seen = () => page.evaluate(() => (globalThis as unknown as { seen: Seen }).seen);

  async function until(check: (s: Seen) => boolean, ms = 10_000): Promise<Seen> {
    const deadline = Date.now() + ms;
    for (;;) {
      const s = await seen();
      if (check(s)) return s;
      if (Date.now() > deadline) throw new Error(`never held: ${JSON.stringify(s)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function note(user: User, text: string): Promise<string> {
    const res = await site.request({
      method: 'POST',
      url: '/api/notes',
      payload: { text, owner: user.id },
      headers: { authorization: `Bearer ${user.token}` },
    });
    assert.equal(res.statusCode, 201, res.body);
    return JSON.parse(res.body).id;
  }

  it("hears its own user's changes with the session cookie, and not another user's", async () => {
    await page.evaluate(() => {
      const seen: Seen = { events: [], opens: 0 };
      (globalThis as unknown as { seen: Seen }).seen = seen;
      const source = new EventSource('/api/realtime?topics=notes');
      source.onopen = () => {
        seen.opens++;
      };
      for (const type of ['create', 'update', 'delete', 'reset']) {
        source.addEventListener(type, (e) => {
          const m = e as unknown as { lastEventId: string; data: string };
          seen.events.push({ type, id: m.lastEventId, data: JSON.parse(m.data) });
        });
      }
    });
    await until((s) => s.opens === 1);
    await note(other, 'not for the browser');
    const mine = await note(me, 'for the browser');
    const s = await until((x) => x.events.length >= 1);
    assert.deepEqual(
      s.events.map((e) => [e.type, e.data.id]),
      [['create', mine]],
    );
    const record = s.events[0]?.data.record as Record<string, unknown> | undefined;
    assert.equal(record?.text, 'for the browser');
  });

  it('reconnects by itself after a cut, with Last-Event-ID, and is replayed what it missed, once', async () => {
    const before = await seen();
    const last = before.events.at(-1)?.id;
    assert.ok(last);
    // The server's side of every connection goes (as in a restart); writes land while the browser is away.
    for (const socket of sockets) socket.destroy();
    const missed = await note(me, 'written while away');
    const s = await until((x) => x.opens >= 2 && x.events.some((e) => e.data.id === missed));
    assert.equal(lastEventIds.at(-1), last, 'the reconnect sent the last id it had');
    const ids = s.events.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no event twice');
    const live = await note(me, 'after the reconnect');
    const after = await until((x) => x.events.some((e) => e.data.id === live));
    assert.deepEqual(
      after.events.slice(before.events.length).map((e) => e.data.id),
      [missed, live],
    );
  });
});
