/**
 * Slow clients over real sockets (timeouts of 1–2 s): a head that does not
 * come, a body that trickles, an upload that stalls and an idle keep-alive
 * connection are each cut off within their time, with a 408 problem where
 * a request was under way, while other clients keep being served. Bounds
 * are generous: they show that a cut-off happens, not how precisely.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import {
  assertRawProblem,
  connectionsDrained,
  listen,
  type RawConnection,
  rawConnection,
  rawRequest,
  sleep,
} from './raw-http.js';
import { staged } from './upload-helpers.js';

const HEADERS_S = 1;
const BODY_S = 1;
const IDLE_S = 2;
/** What a cut-off may take beyond its configured time on a busy machine (Node checks every second). */
const SLACK_MS = 5000;
/** A hook that holds a create this long: a slow handler, after its body has all arrived. */
const HANDLER_MS = 2500;

const CONFIG: UserConfig = {
  collections: {
    books: { fields: { title: { type: 'text', required: true } }, rules: PUBLIC_RULES },
    uploads: { fields: { title: { type: 'text' }, doc: { type: 'file' } }, rules: PUBLIC_RULES },
    slow: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES },
  },
  timeouts: { headers: HEADERS_S, body: BODY_S, idle: IDLE_S },
  hooks: { slow: { beforeCreate: () => sleep(HANDLER_MS) } },
};

const GET = 'GET /api/books HTTP/1.1\r\nHost: test\r\n\r\n';
const postHead = (path: string, type: string, length: number) =>
  `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;

let t: TestApp;
let port: number;
before(async () => {
  t = await testApp(CONFIG);
  port = await listen(t);
});
after(() => t.close());

/** Other clients are answered while `slow` connections wait to be cut off. */
async function othersServed(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const res = await rawRequest(port, GET);
    assert.equal(res.status, 200, 'a normal request is answered meanwhile');
  }
}

/** Waits for the 408 and the close; returns how long the connection lived. */
async function cutOffWith408(connection: RawConnection, limitS: number, detail: RegExp): Promise<number> {
  const res = await connection.response(limitS * 1000 + SLACK_MS);
  assertRawProblem(res, 408, detail);
  assert.equal(res.headers.connection, 'close');
  await connection.closed(SLACK_MS);
  const lived = (connection.closedAt ?? Date.now()) - connection.opened;
  // A deadline is never early: Node and the watchdog cut only once it has passed.
  assert.ok(lived >= limitS * 1000 - 100, `cut off after ${lived} ms, before the ${limitS} s`);
  return lived;
}

describe('request heads must arrive within timeouts.headers', () => {
  test('a connection that sends nothing gets a 408 problem and is closed', async () => {
    const silent = await rawConnection(port);
    await othersServed();
    await cutOffWith408(silent, HEADERS_S, /request line and header fields did not arrive within 1 s/);
  });

  test('half a head gets the same 408, and so does a head trickled in', async () => {
    const half = await rawConnection(port);
    half.write('GET /api/books HTTP/1.1\r\nHost: te');
    const trickled = await rawConnection(port);
    const head = 'GET /api/books HTTP/1.1\r\nHost: test\r\nAccept: application/json\r\n\r\n';
    let sent = 0;
    const drip = setInterval(() => trickled.write(head[sent++] ?? ''), 200);
    try {
      await othersServed();
      await Promise.all([
        cutOffWith408(half, HEADERS_S, /did not arrive within 1 s/),
        cutOffWith408(trickled, HEADERS_S, /did not arrive within 1 s/),
      ]);
    } finally {
      clearInterval(drip);
    }
  });
});

describe('request bodies must arrive within timeouts.body plus 1 s per bodyRate bytes', () => {
  test('nothing after the head: 408 problem from the app, connection closed', async () => {
    const stalled = await rawConnection(port);
    stalled.write(postHead('/api/books', 'application/json', 100));
    await othersServed();
    const res = await stalled.response(BODY_S * 1000 + SLACK_MS);
    const body = assertRawProblem(res, 408, /request body did not arrive in time.*1 s for a body/);
    assert.equal(body.instance, '/api/books', 'answered by the app, like any problem');
    await stalled.closed(SLACK_MS);
    assert.equal((await rawRequest(port, GET)).status, 200);
  });

  test('a trickle of one byte every 300 ms is cut off too', async () => {
    const trickle = await rawConnection(port);
    trickle.write(postHead('/api/books', 'application/json', 1000));
    const drip = setInterval(() => trickle.write(' '), 300);
    try {
      await othersServed();
      await cutOffWith408(trickle, BODY_S, /did not arrive in time/);
    } finally {
      clearInterval(drip);
    }
  });

  test('a stalled upload is cut off and its staged file removed', async () => {
    const upload = await rawConnection(port);
    const boundary = 'slowboundary';
    upload.write(postHead('/api/uploads', `multipart/form-data; boundary=${boundary}`, 100_000));
    upload.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="doc"; filename="a.bin"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n${'x'.repeat(4000)}`,
    );
    const until = Date.now() + SLACK_MS;
    while (staged(t).length === 0 && Date.now() < until) await sleep(20);
    assert.equal(staged(t).length, 1, 'the upload is being staged');
    await cutOffWith408(upload, BODY_S, /did not arrive in time/);
    const gone = Date.now() + SLACK_MS;
    while (staged(t).length > 0 && Date.now() < gone) await sleep(20);
    assert.deepEqual(staged(t), [], 'nothing left in files/.staging');
  });

  test('a slow handler after a complete body is never cut', async () => {
    const body = '{"title":"late"}';
    const started = Date.now();
    const res = await rawRequest(port, postHead('/api/slow', 'application/json', body.length) + body);
    assert.equal(res.status, 201, res.body);
    assert.ok(Date.now() - started >= HANDLER_MS - 100, 'the handler did take longer than the body timeout');
  });
});

describe('idle keep-alive connections close after timeouts.idle', () => {
  test('open between requests for longer than the head timeout, closed after the idle one', async () => {
    const idle = await rawConnection(port);
    idle.write(GET);
    const first = await idle.response();
    assert.equal(first.status, 200);
    assert.equal(first.headers['keep-alive'], `timeout=${IDLE_S}`);
    const answered = Date.now();
    // Waiting for a next request is not a head in progress: the 1 s head timeout does not apply.
    await sleep(HEADERS_S * 1000 + 500);
    assert.equal(idle.closedAt, undefined, 'still open after the head timeout');
    await idle.closed(IDLE_S * 1000 + SLACK_MS);
    const idleFor = (idle.closedAt ?? Date.now()) - answered;
    assert.ok(idleFor >= IDLE_S * 1000 - 100, `closed after ${idleFor} ms idle`);
    assert.equal(idle.text().split('HTTP/1.1 ').length - 1, 1, 'no second answer (no 408 for an idle close)');
  });
});

test('afterwards the server answers and holds no connection', async () => {
  assert.equal((await rawRequest(port, GET)).status, 200);
  await connectionsDrained(t);
});
