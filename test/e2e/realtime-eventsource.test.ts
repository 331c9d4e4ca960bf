/**
 * GET /api/realtime read by a browser's own EventSource: cookie auth, the
 * create/update/delete events, and a reconnect after the server drops the
 * connection (and after the browser goes offline), which resumes with
 * Last-Event-ID: what was written meanwhile arrives, nothing twice.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { json } from '../harness.js';
import { browserSkipReason, launchBrowser, type ServedApp, serveApp } from './browser.js';

const skip = browserSkipReason();
if (skip) console.log(skip);

// The page's script is a file of its own: the server's CSP allows no inline script.
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Live</title>
<script src="/live.js" defer></script></head><body><h1>Live</h1><ol id="log"></ol></body></html>`;

const SCRIPT = `
const heard = [];
window.heard = heard;
window.opens = 0;
const source = new EventSource('/api/realtime' + location.search);
for (const type of ['create', 'update', 'delete', 'reset']) {
  source.addEventListener(type, (e) => {
    heard.push({ type, id: e.lastEventId, data: JSON.parse(e.data) });
    const li = document.createElement('li');
    li.textContent = type + ' ' + e.lastEventId;
    document.getElementById('log').append(li);
  });
}
source.addEventListener('open', () => { window.opens++; });
`;

interface Heard {
  type: string;
  id: string;
  data: { collection: string; id: string; record?: Record<string, unknown>; etag?: string };
}

describe('EventSource on /api/realtime in a browser', { skip }, () => {
  let browser: Browser;
  let t: ServedApp;
  /** Each /api/realtime request the server got: its Last-Event-ID and its socket. */
  const streams: { lastEventId: string | undefined; socket: Socket }[] = [];
  let token: string;

  before(async () => {
    browser = await launchBrowser();
    t = await serveApp(
      {
        collections: {
          // Signed-in readers only: the stream needs the session cookie.
          notes: {
            fields: { text: { type: 'text', required: true } },
            rules: { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
          },
        },
      },
      { 'index.html': PAGE, 'live.js': SCRIPT },
    );
    t.app.server.on('request', (req: IncomingMessage) => {
      if (req.url?.startsWith('/api/realtime')) {
        const header = req.headers['last-event-id'];
        streams.push({ lastEventId: typeof header === 'string' ? header : undefined, socket: req.socket });
      }
    });
    const register = await t.request({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'reader@example.com', password: 'correct horse battery staple' },
    });
    assert.equal(register.statusCode, 201, register.body);
    const login = await t.request({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'reader@example.com', password: 'correct horse battery staple' },
    });
    token = json(login).token as string;
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const auth = () => ({ authorization: `Bearer ${token}` });

  async function write(method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
    const res = await t.request({
      method,
      url,
      payload: payload as Record<string, unknown>,
      headers: auth(),
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res;
  }

  const heard = (page: Page) => page.evaluate(() => (globalThis as unknown as { heard: Heard[] }).heard);
  const opens = (page: Page) => page.evaluate(() => (globalThis as unknown as { opens: number }).opens);

  async function waitFor(page: Page, what: string, check: (events: Heard[], opens: number) => boolean) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [events, count] = [await heard(page), await opens(page)];
      if (check(events, count)) return events;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A signed-in page (cookie from POST /api/auth/login) following `topics`, once its stream is live. */
  async function livePage(topics: string): Promise<Page> {
    const context = await browser.newContext();
    const login = await context.request.post(`${t.origin}/api/auth/login`, {
      data: { email: 'reader@example.com', password: 'correct horse battery staple' },
    });
    assert.equal(login.status(), 200);
    const page = await context.newPage();
    const before = streams.length;
    const opened = page.waitForResponse((r) => r.url().includes('/api/realtime'));
    await page.goto(`${t.origin}/index.html?topics=${topics}`);
    assert.equal((await opened).status(), 200);
    await waitFor(page, 'the stream to open', (_, count) => count === 1);
    assert.equal(streams.length, before + 1);
    return page;
  }

  it('without the cookie the stream is refused (401), and EventSource gives up', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused = page.waitForResponse((r) => r.url().includes('/api/realtime'));
    await page.goto(`${t.origin}/index.html?topics=notes`);
    const res = await refused;
    assert.equal(res.status(), 401);
    assert.match((await res.allHeaders())['content-type'] ?? '', /^application\/problem\+json/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await opens(page), 0);
    assert.equal(await page.evaluate('document.readyState'), 'complete');
    await context.close();
  });

  it('create, update and delete arrive with the cookie, each with the record and ETag a GET gives', async () => {
    const page = await livePage('notes');
    const created = json(await write('POST', '/api/notes', { text: 'first' }));
    const id = created.id as string;
    const patched = await write('PATCH', `/api/notes/${id}`, { text: 'second' });
    await write('DELETE', `/api/notes/${id}`);
    const events = await waitFor(page, 'three events', (e) => e.length >= 3);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.collection, e.data.id]),
      [
        ['create', 'notes', id],
        ['update', 'notes', id],
        ['delete', 'notes', id],
      ],
    );
    assert.equal(events[0].data.record?.text, 'first');
    assert.equal(events[1].data.record?.text, 'second');
    assert.equal(events[1].data.etag, patched.headers.etag);
    assert.equal(events[2].data.record, undefined);
    const ids = events.map((e) => Number(e.id));
    assert.ok(ids[0] < ids[1] && ids[1] < ids[2], `ids ascend: ${ids}`);
    assert.equal(await page.locator('#log li').count(), 3);
    await page.context().close();
  });

  it('after the server drops the connection, it reconnects with Last-Event-ID and gets what it missed, once', async () => {
    const page = await livePage('notes');
    const before = json(await write('POST', '/api/notes', { text: 'before the drop' }));
    const [first] = await waitFor(page, 'the first event', (e) => e.length >= 1);
    assert.equal(first.data.id, before.id);

    // The server side cuts the connection; three writes land before the browser is back.
    const cut = streams.length;
    streams[cut - 1].socket.destroy();
    const missed = [
      json(await write('POST', '/api/notes', { text: 'while away 1' })),
      json(await write('POST', '/api/notes', { text: 'while away 2' })),
    ];
    await write('PATCH', `/api/notes/${before.id}`, { text: 'edited while away' });
    await write('DELETE', `/api/notes/${missed[0].id}`);

    const events = await waitFor(page, 'the missed events', (e, count) => count === 2 && e.length >= 5);
    assert.equal(streams.length, cut + 1, 'one reconnect');
    assert.equal(streams[cut].lastEventId, first.id, 'the reconnect sent the last id it had');
    assert.deepEqual(
      events.map((e) => [e.type, e.data.id]),
      [
        ['create', before.id],
        ['create', missed[0].id],
        ['create', missed[1].id],
        ['update', before.id],
        ['delete', missed[0].id],
      ],
    );
    // Live again after the replay, and nothing came twice.
    const later = json(await write('POST', '/api/notes', { text: 'after' }));
    const all = await waitFor(page, 'the live event after the replay', (e) => e.length >= 6);
    assert.equal(all[5].data.id, later.id);
    await new Promise((r) => setTimeout(r, 300));
    const ids = (await heard(page)).map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, `no event twice: ${ids}`);
    assert.equal(ids.length, 6);
    await page.context().close();
  });

  it('after the page was offline, it reconnects and gets what it missed, once', async () => {
    const page = await livePage('notes');
    const first = json(await write('POST', '/api/notes', { text: 'online' }));
    await waitFor(page, 'the first event', (e) => e.length >= 1);
    const before = streams.length;
    // Offline, the open stream drops (the socket goes) and the browser's retries fail until it is back.
    await page.context().setOffline(true);
    streams[before - 1].socket.destroy();
    await page.waitForTimeout(3500);
    assert.equal(streams.length, before, 'no stream reached the server while offline');
    const away = json(await write('POST', '/api/notes', { text: 'offline' }));
    await write('PATCH', `/api/notes/${first.id}`, { text: 'offline edit' });
    await page.context().setOffline(false);
    const events = await waitFor(page, 'the missed events', (e, count) => count === 2 && e.length >= 3);
    assert.ok(streams.length > before, 'the browser opened a new stream');
    assert.ok(streams.at(-1)?.lastEventId, 'with Last-Event-ID');
    assert.deepEqual(
      events.map((e) => [e.type, e.data.id]),
      [
        ['create', first.id],
        ['create', away.id],
        ['update', first.id],
      ],
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await heard(page)).length, 3, 'nothing twice');
    await page.context().close();
  });
});
