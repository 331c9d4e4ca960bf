/**
 * GET /api/realtime against a listening server, read as a browser's
 * EventSource reads it: topics, rules per subscriber, the events and their
 * ETags, replay after a disconnect, reset past retention, rollbacks, and
 * the bounds (topics, streams per client, slow clients).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { sweepChanges } from '../../src/service/realtime/sweep.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { bearer, registerAndLogin, type User } from './auth-helpers.js';
import { assertProblem } from './helpers.js';
import { SseClient, type SseEvent } from './sse-client.js';

const OWNED = { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' };

const CONFIG: UserConfig = {
  collections: {
    books: {
      fields: { title: { type: 'text', required: true }, secret: { type: 'text', hidden: true } },
      rules: PUBLIC_RULES,
    },
    notes: {
      fields: { text: { type: 'text' }, owner: { type: 'relation', collection: 'users' } },
      rules: OWNED,
    },
    vault: { fields: { text: { type: 'text' } }, rules: { ...PUBLIC_RULES, list: 'nobody', view: 'nobody' } },
    orders: { fields: { total: { type: 'integer' } }, rules: PUBLIC_RULES },
  },
  realtime: { heartbeat: 1, topics: 4, connectionsPerClient: 3 },
};

let t: TestApp;
let base: string;
let alice: User;
let bob: User;
let admin: User;
const open: SseClient[] = [];

before(async () => {
  t = await testApp(CONFIG);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  assert.ok(address && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
  alice = await registerAndLogin(t, 'alice@example.com');
  bob = await registerAndLogin(t, 'bob@example.com');
  admin = await registerAndLogin(t, 'root@example.com', true);
});

after(async () => {
  for (const client of open) client.close();
  await t.close();
});

async function stream(query: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await SseClient.open(`${base}/api/realtime?${query}`, headers);
  open.push(client);
  assert.equal(client.response.status, 200, await peek(client));
  assert.equal(client.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  // The stream is live once the server's first comment arrives.
  await client.until(() => client.comments > 0);
  return client;
}

async function peek(client: SseClient): Promise<string> {
  return client.response.status === 200 ? '' : await client.response.text();
}

async function post(collection: string, body: Record<string, unknown>, user: User | null = null) {
  const res = await t.request({
    method: 'POST',
    url: `/api/${collection}`,
    payload: body,
    headers: bearer(user),
  });
  assert.equal(res.statusCode, 201, res.body);
  return json(res);
}

function data(event: SseEvent): Record<string, unknown> {
  return JSON.parse(event.data);
}

describe('events', () => {
  test('create, update and delete arrive in order, with the record and the ETag a GET answers', async () => {
    const client = await stream('topics=books');
    const created = await post('books', { title: 'Dune', secret: 'spice' });
    const id = created.id as string;
    const first = await client.next();
    assert.equal(first.event, 'create');
    assert.match(first.id, /^\d+$/);
    const get = await t.request({ method: 'GET', url: `/api/books/${id}` });
    assert.deepEqual(data(first), { collection: 'books', id, record: json(get), etag: get.headers.etag });
    assert.equal((data(first).record as Record<string, unknown>).secret, undefined, 'hidden field left out');

    const patch = await t.request({
      method: 'PATCH',
      url: `/api/books/${id}`,
      payload: { title: 'Dune II' },
    });
    assert.equal(patch.statusCode, 200);
    const second = await client.next();
    assert.equal(second.event, 'update');
    assert.ok(Number(second.id) > Number(first.id));
    const again = await t.request({ method: 'GET', url: `/api/books/${id}` });
    assert.equal(data(second).etag, again.headers.etag);
    assert.equal(data(second).etag, patch.headers.etag);
    assert.deepEqual(data(second).record, json(again));

    assert.equal((await t.request({ method: 'DELETE', url: `/api/books/${id}` })).statusCode, 204);
    const third = await client.next();
    assert.equal(third.event, 'delete');
    assert.deepEqual(data(third), { collection: 'books', id });
    assert.equal(client.lastEventId, third.id);
    await client.none();
    client.close();
  });

  test('a record topic hears that record alone; a collection topic, its collection alone', async () => {
    const one = await post('books', { title: 'One' });
    const other = await post('books', { title: 'Other' });
    const client = await stream(`topics=books/${one.id},orders`);
    await t.request({ method: 'PATCH', url: `/api/books/${other.id}`, payload: { title: 'Other 2' } });
    await t.request({ method: 'PATCH', url: `/api/books/${one.id}`, payload: { title: 'One 2' } });
    const order = await post('orders', { total: 3 });
    const a = await client.next();
    assert.deepEqual([a.event, data(a).id], ['update', one.id]);
    const b = await client.next();
    assert.deepEqual([b.event, data(b).collection, data(b).id], ['create', 'orders', order.id]);
    await client.none();
    client.close();
  });

  test('an admin sees hidden fields, with the ETag of what they are sent', async () => {
    const client = await stream('topics=books', bearer(admin));
    const created = await post('books', { title: 'Secret', secret: 'spice' });
    const event = await client.next();
    const get = await t.request({ method: 'GET', url: `/api/books/${created.id}`, headers: bearer(admin) });
    assert.equal((data(event).record as Record<string, unknown>).secret, 'spice');
    assert.equal(data(event).etag, get.headers.etag);
    client.close();
  });

  test('heartbeats: a comment line every realtime.heartbeat', async () => {
    const client = await stream('topics=orders');
    const before = client.comments;
    await client.until(() => client.comments >= before + 1, 3000);
    client.close();
  });

  test('HEAD answers the headers of the stream, and no body', async () => {
    const res = await t.request({ method: 'HEAD', url: '/api/realtime?topics=books' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(res.body, '');
  });
});

describe('rules per subscriber', () => {
  test("another user's owned records never reach a stream; the owner's and an admin's do", async () => {
    const a = await stream('topics=notes', bearer(alice));
    const b = await stream('topics=notes', bearer(bob));
    const root = await stream('topics=notes', bearer(admin));
    const note = await post('notes', { text: 'alice only', owner: alice.id }, alice);
    const mine = await a.next();
    assert.deepEqual([mine.event, data(mine).id], ['create', note.id]);
    assert.equal((await root.next()).event, 'create');
    const other = await post('notes', { text: 'bob only', owner: bob.id }, bob);
    const his = await b.next();
    assert.deepEqual([his.event, data(his).id], ['create', other.id], 'bob hears his own note, not alice’s');
    assert.equal(data(await root.next()).id, other.id);
    // A delete is told to whoever could see the record, no one else.
    await t.request({ method: 'DELETE', url: `/api/notes/${note.id}`, headers: bearer(alice) });
    assert.deepEqual(data(await a.next()), { collection: 'notes', id: note.id });
    assert.equal((await root.next()).event, 'delete');
    await b.none();
    await a.none(0);
    for (const c of [a, b, root]) c.close();
  });

  test('a record topic follows the view rule: another user’s record is never heard of', async () => {
    const note = await post('notes', { text: 'private', owner: alice.id }, alice);
    const b = await stream(`topics=notes/${note.id}`, bearer(bob));
    const a = await stream(`topics=notes/${note.id}`, bearer(alice));
    await t.request({
      method: 'PATCH',
      url: `/api/notes/${note.id}`,
      payload: { text: 'edited' },
      headers: bearer(alice),
    });
    assert.equal(data(await a.next()).id, note.id);
    await b.none();
    a.close();
    b.close();
  });

  test('401 for an anonymous caller where the rule needs one, 403 where nobody may', async () => {
    const anonymous = await SseClient.open(`${base}/api/realtime?topics=notes`);
    assert.equal(anonymous.response.status, 401);
    assert.equal(anonymous.response.headers.get('www-authenticate'), 'Bearer realm="methodical"');
    assert.equal(anonymous.response.headers.get('content-type'), 'application/problem+json');
    await anonymous.response.text();
    const res = await t.request({ method: 'GET', url: '/api/realtime?topics=vault', headers: bearer(alice) });
    assertProblem(res, 403);
  });
});

describe('bad requests', () => {
  const cases: [string, string, number, RegExp, Record<string, string>?][] = [
    ['no topics', '', 400, /Name the topics/],
    ['an empty topic', 'topics=books,', 400, /names no collection/],
    ['an unknown collection', 'topics=books,nope', 404, /no "nope"/],
    ['a bad record id', 'topics=books/a%20b', 400, /bad record id/],
    ['too many topics', 'topics=books,orders,books/1,books/2,books/3', 400, /at most 4 topics/],
    ['a bad since', 'topics=books&since=abc', 400, /whole number/],
    ['a bad Last-Event-ID', 'topics=books', 400, /whole number/, { 'last-event-id': '-1' }],
    [
      'an Accept without event streams',
      'topics=books',
      406,
      /text\/event-stream/,
      { accept: 'application/json' },
    ],
  ];
  for (const [name, query, status, detail, headers] of cases) {
    test(`${name}: ${status} problem`, async () => {
      const res = await t.request({ method: 'GET', url: `/api/realtime?${query}`, headers });
      assertProblem(res, status);
      assert.match(String(json(res).detail), detail);
    });
  }

  test('POST is 405 with Allow', async () => {
    const res = await t.request({ method: 'POST', url: '/api/realtime?topics=books', payload: {} });
    assertProblem(res, 405);
    assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
  });

  test('streams per client are bounded: one more is a 429 with Retry-After, and a closed one frees its place', async () => {
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await stream('topics=orders', bearer(bob)));
    const refused = await t.request({
      method: 'GET',
      url: '/api/realtime?topics=orders',
      headers: bearer(bob),
    });
    assertProblem(refused, 429);
    assert.ok(refused.headers['retry-after']);
    // Another user is another client.
    const alices = await stream('topics=orders', bearer(alice));
    alices.close();
    clients[0]?.close();
    await waitFor(async () => {
      const c = await SseClient.open(`${base}/api/realtime?topics=orders`, bearer(bob));
      open.push(c);
      return c.ok;
    });
    for (const c of clients) c.close();
  });
});

/** Tries `fn` until it holds, for at most `ms`. */
async function waitFor(fn: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('never held');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('replay', () => {
  test('Last-Event-ID after a disconnect replays every change missed, in order, then goes live: nothing lost, nothing twice', async () => {
    const first = await stream('topics=books');
    const a = await post('books', { title: 'A' });
    const seen = await first.next();
    first.close();
    // Written while the client is away: an update, a create, a delete, and a change it may not hear of.
    await t.request({ method: 'PATCH', url: `/api/books/${a.id}`, payload: { title: 'A2' } });
    const b = await post('books', { title: 'B' });
    await post('notes', { text: 'not mine', owner: alice.id }, alice);
    await t.request({ method: 'DELETE', url: `/api/books/${a.id}` });
    const back = await stream('topics=books', { 'last-event-id': seen.id });
    const replayed = [await back.next(), await back.next(), await back.next()];
    assert.deepEqual(
      replayed.map((e) => [e.event, data(e).id]),
      [
        ['update', a.id],
        ['create', b.id],
        ['delete', a.id],
      ],
    );
    const ids = replayed.map((e) => Number(e.id));
    assert.ok(ids.every((id, i) => id > (i === 0 ? Number(seen.id) : (ids[i - 1] as number))));
    const c = await post('books', { title: 'C' });
    const live = await back.next();
    assert.deepEqual([live.event, data(live).id], ['create', c.id]);
    await back.none();
    back.close();
    // `since` does the same for a client that keeps its own place.
    const resumed = await stream(`topics=books&since=${replayed[2]?.id}`);
    assert.deepEqual(data(await resumed.next()).id, c.id);
    await resumed.none();
    resumed.close();
  });

  test('a stream without Last-Event-ID starts from now, and tells its place so a reconnect loses nothing', async () => {
    await post('books', { title: 'before' });
    const client = await stream('topics=books');
    await client.until(() => /^\d+$/.test(client.lastEventId));
    client.close();
    const missed = await post('books', { title: 'while away' });
    const back = await stream('topics=books', { 'last-event-id': client.lastEventId });
    // On PostgreSQL "now" is the log's readable end, which a commit of a moment ago may not have reached yet.
    let event = await back.next();
    if (data(event).id !== missed.id) {
      assert.equal((data(event).record as Record<string, unknown>).title, 'before');
      event = await back.next();
    }
    assert.equal(data(event).id, missed.id);
    await back.none();
    back.close();
  });

  test('past the retention one `reset` event says to refetch, then the stream goes live', async () => {
    const client = await stream('topics=books');
    await post('books', { title: 'old' });
    const old = await client.next();
    client.close();
    await post('books', { title: 'also old' });
    // The background sweep, run as if realtime.retention (24 h by default) had passed since.
    const settings = t.config.realtime;
    assert.equal(settings.retentionSeconds, 86_400);
    assert.ok((await sweepChanges(t.store.changes, settings, Date.now() + 86_401_000)) >= 2);
    const back = await stream('topics=books', { 'last-event-id': old.id });
    const reset = await back.next();
    assert.equal(reset.event, 'reset');
    assert.deepEqual(JSON.parse(reset.data), {});
    const fresh = await post('books', { title: 'new' });
    let live = await back.next();
    // On PostgreSQL a change committed a moment before the reset may still come after it (the refetch covers it).
    if ((data(live).record as Record<string, unknown>).title === 'also old') live = await back.next();
    assert.deepEqual([live.event, data(live).id], ['create', fresh.id]);
    await back.none();
    back.close();
  });
});

describe('transactions', () => {
  test('a batch that fails produces no event; the next committed write is the next event', async () => {
    const client = await stream('topics=books');
    const res = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: {
        requests: [
          { method: 'POST', url: '/api/books', body: { title: 'rolled back' } },
          { method: 'POST', url: '/api/books', body: {} },
        ],
      },
    });
    assert.equal(res.statusCode, 422, res.body);
    const kept = await post('books', { title: 'committed' });
    const event = await client.next();
    assert.deepEqual(
      [event.event, (data(event).record as Record<string, unknown>).title],
      ['create', 'committed'],
    );
    assert.equal(data(event).id, kept.id);
    await client.none();
    client.close();
  });

  test('a batch that commits sends each of its changes, in order', async () => {
    const client = await stream('topics=books,orders');
    const res = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: {
        requests: [
          { method: 'POST', url: '/api/books', body: { title: 'batch 1' } },
          { method: 'POST', url: '/api/orders', body: { total: 7 } },
        ],
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const a = await client.next();
    const b = await client.next();
    assert.deepEqual([data(a).collection, data(b).collection], ['books', 'orders']);
    client.close();
  });
});
