/**
 * What clients can do at the connection level, over real sockets: requests
 * Node's parser refuses or Node would answer itself are problem+json with
 * the status that says what was wrong (414, 431, 417, 400, 501, 413); an
 * answer sent before the body was read reaches the client and the rest of
 * the body is not read for ever; the connection cap answers 503. The 408s
 * are in connection-timeouts.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, type TestApp, testApp } from '../harness.js';
import {
  assertRawProblem,
  connectionsDrained,
  listen,
  type RawConnection,
  rawConnection,
  rawRequest,
  sleep,
} from './raw-http.js';

const LIMITS = { url: 1024, headers: 4096, json: 1024 };
const GET = 'GET /api/books HTTP/1.1\r\nHost: test\r\n\r\n';
const POST = 'POST /api/books HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n';
/** The lingering close reads on for 3 s; this is that plus a busy machine's slack. */
const CLOSE_MS = 8000;

interface Case {
  name: string;
  request: string;
  status: number;
  detail: RegExp;
  /** The answer closes the connection (everything the parser refuses). */
  closes: boolean;
}

const CASES: Case[] = [
  {
    name: 'a URL over limits.url but within the head limit',
    request: `GET /api/books?q=${'a'.repeat(2000)} HTTP/1.1\r\nHost: test\r\n\r\n`,
    status: 414,
    detail: /request target is 2013 bytes long; this server accepts at most 1024/,
    closes: false,
  },
  {
    name: 'a URL over the whole head limit',
    request: `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: test\r\n\r\n`,
    status: 414,
    detail: /request line is longer than the 4096 bytes/,
    closes: true,
  },
  {
    name: 'one header field of 100 KB',
    request: `GET / HTTP/1.1\r\nHost: test\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    status: 431,
    detail: /header fields are larger than the 4096 bytes/,
    closes: true,
  },
  {
    name: '3000 small header fields',
    request: `GET / HTTP/1.1\r\nHost: test\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`,
    status: 431,
    detail: /header fields are larger than the 4096 bytes/,
    closes: true,
  },
  {
    name: 'an Expect other than 100-continue',
    request: 'GET /api/books HTTP/1.1\r\nHost: test\r\nExpect: a-pony\r\n\r\n',
    status: 417,
    detail: /no expectation but 100-continue; the request has Expect: a-pony/,
    closes: false,
  },
  {
    name: 'an HTTP/1.1 request without Host',
    request: 'GET /api/books HTTP/1.1\r\nAccept: application/json\r\n\r\n',
    status: 400,
    detail: /must have a Host header field \(RFC 9112 §3\.2\)/,
    closes: false,
  },
  {
    name: 'a method the parser does not know',
    request: 'BREW /pot HTTP/1.1\r\nHost: test\r\n\r\n',
    status: 501,
    detail: /does not know that method/,
    closes: true,
  },
  {
    name: 'a header line without a colon',
    request: 'GET / HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n',
    status: 400,
    detail: /could not be parsed as HTTP\/1\.1: Invalid header token \(HPE_INVALID_HEADER_TOKEN\)/,
    closes: true,
  },
  {
    name: 'Content-Length together with Transfer-Encoding (request smuggling)',
    request: `${POST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
    detail: /can't be present with (Content-Length|Transfer-Encoding)/,
    closes: true,
  },
  {
    name: 'a broken chunk size in the body',
    request: `${POST}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
    status: 400,
    detail: /Invalid character in chunk size/,
    closes: true,
  },
  {
    name: 'chunk extensions over 16 KiB',
    request: `${POST}Transfer-Encoding: chunked\r\n\r\n2;${'e'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`,
    status: 413,
    detail: /chunk extensions in the request body are too large/,
    closes: true,
  },
];

// One app for the errors and the early answers; the cap has its own.
let t: TestApp;
let port: number;
before(async () => {
  t = await testApp({ ...BOOKS_CONFIG, limits: LIMITS });
  port = await listen(t);
});
after(() => t.close());

describe('errors Node would answer itself are problems with the right status', () => {
  for (const row of CASES) {
    test(`${row.name} → ${row.status}`, async () => {
      const connection = await rawConnection(port);
      try {
        connection.write(row.request);
        const res = await connection.response();
        assertRawProblem(res, row.status, row.detail);
        if (row.closes) {
          assert.equal(res.headers.connection, 'close');
          await connection.closed(CLOSE_MS);
        } else {
          // A head the app refused leaves the connection good for the next request.
          connection.write(GET);
          await sleep(50);
          assert.match(connection.text(), /HTTP\/1\.1 200 OK/);
        }
      } finally {
        connection.destroy();
      }
    });
  }

  test('HTTP/1.0 needs no Host', async () => {
    const res = await rawRequest(port, 'GET /api/books HTTP/1.0\r\n\r\n');
    assert.equal(res.status, 200);
  });

  test('a request pipelined behind a good one is answered after it', async () => {
    const connection = await rawConnection(port);
    connection.write(`${GET}GET / HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n`);
    await connection.closed(CLOSE_MS);
    const answers = connection.text().match(/HTTP\/1\.1 \d{3} /g);
    assert.deepEqual(answers, ['HTTP/1.1 200 ', 'HTTP/1.1 400 ']);
  });
});

/** Writes body bytes (up to some 30 MB/s, as fast as they are taken) until the connection is gone or `stop()`. */
function pour(connection: RawConnection): { stop(): void } {
  let stopped = false;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  void (async () => {
    while (!stopped && !connection.socket.destroyed) {
      if (!connection.socket.writableNeedDrain) connection.write(chunk);
      await sleep(2);
    }
  })();
  return {
    stop: () => {
      stopped = true;
    },
  };
}

describe('an answer sent before the body was read', () => {
  /** More than any client could send while the server lingers: only the server can end the upload. */
  const LARGE = 100 * 1024 ** 3;
  const cases = [
    { name: 'a Content-Length far over limits.json', type: 'application/json', status: 413 },
    { name: 'a large body of a type the route does not take', type: 'text/plain', status: 415 },
  ];
  for (const row of cases) {
    test(`${row.name}: the client reads the ${row.status} and the server stops reading soon after`, async () => {
      // Half-open, as a client still uploading: only the server destroying the connection ends it.
      const connection = await rawConnection(port, { halfOpen: true });
      connection.write(`${POST.replace('application/json', row.type)}Content-Length: ${LARGE}\r\n\r\n`);
      const upload = pour(connection);
      try {
        // Busy uploading, the client reads its answer only a while later: were the server to close at once,
        // the bytes still coming would draw a reset, and a reset discards the unread answer.
        connection.socket.pause();
        await sleep(1000);
        connection.socket.resume();
        const res = await connection.response();
        assertRawProblem(res, row.status);
        assert.equal(res.headers.connection, 'close');
        const answered = Date.now();
        await connection.gone(CLOSE_MS);
        assert.ok((connection.goneAt ?? Date.now()) - answered < CLOSE_MS, 'the server stopped reading');
      } finally {
        upload.stop();
        connection.destroy();
      }
    });
  }
});

test('afterwards the server answers and holds no connection', async () => {
  assert.equal((await rawRequest(port, GET)).status, 200);
  await connectionsDrained(t);
});

describe('limits.connections caps the open connections', () => {
  const CAP = 2;
  let capped: TestApp;
  let cappedPort: number;
  before(async () => {
    capped = await testApp({ ...BOOKS_CONFIG, limits: { connections: CAP } });
    cappedPort = await listen(capped);
  });
  after(() => capped.close());

  test('one connection over the cap gets a 503 problem with Retry-After; once one closes, service resumes', async () => {
    const held: RawConnection[] = [];
    for (let i = 0; i < CAP; i++) {
      const connection = await rawConnection(cappedPort);
      connection.write(GET);
      assert.equal((await connection.response()).status, 200);
      held.push(connection);
    }
    try {
      const extra = await rawConnection(cappedPort);
      extra.write(GET);
      const refused = await extra.response();
      assertRawProblem(refused, 503, /as many connections as it takes \(2\)/);
      assert.match(refused.headers['retry-after'] ?? '', /^\d+$/);
      assert.equal(refused.headers.connection, 'close');
      await extra.closed(CLOSE_MS);
      assert.equal(extra.text().match(/^HTTP\/1\.1 /gm)?.length, 1, 'the refused request was not served');

      held.shift()?.destroy();
      const until = Date.now() + CLOSE_MS;
      let status = 0;
      while (status !== 200 && Date.now() < until) {
        status = (await rawRequest(cappedPort, GET)).status;
        if (status !== 200) await sleep(50);
      }
      assert.equal(status, 200, 'served again once a connection closed');
    } finally {
      for (const connection of held) connection.destroy();
    }
    await connectionsDrained(capped);
  });
});
