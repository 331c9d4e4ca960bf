/**
 * Deterministic fuzzing on the wire, zzuf-style: valid requests (reads,
 * JSON writes, JSON Patch bombs, forms, multipart uploads, chunked bodies,
 * pipelined pairs) mutated at random — bytes flipped, inserted, dropped,
 * lines repeated, heads cut short or blown up, lengths that lie, odd
 * Expect and Host headers, slow writers — sent over real sockets to a
 * listening server. Every answer must be HTTP with a status below 500 (501
 * for an unknown method aside) and, when it is an error, a problem; the
 * server must keep answering, and every connection must end.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, type TestApp, testApp } from '../harness.js';
import { pick, prng } from './prng.js';

const CASES = Number(process.env.FUZZ_WIRE_CASES ?? 400);
const PARALLEL = 16;
/** How long one case may take before it counts as a hang (timeouts are 1 s in this app). */
const CASE_LIMIT_MS = 8000;

function head(method: string, url: string, headers: string[], body = ''): string {
  const length = body === '' ? [] : [`Content-Length: ${Buffer.byteLength(body)}`];
  return [`${method} ${url} HTTP/1.1`, 'Host: 127.0.0.1', ...headers, ...length, '', body].join('\r\n');
}

const bomb = JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ op: 'copy', from: '', path: `/k${i}` })));
const boundary = 'fuzzboundary';
const multipartBody = [
  `--${boundary}`,
  'Content-Disposition: form-data; name="title"',
  '',
  'Fuzzed',
  `--${boundary}`,
  'Content-Disposition: form-data; name="author"',
  '',
  'Someone',
  `--${boundary}--`,
  '',
].join('\r\n');

/** Requests as a well-behaved client sends them; the mutations start from these. */
const SEEDS: string[] = [
  head('GET', '/api/books', ['Accept: application/json']),
  head('GET', '/api/books?filter=year%20%3E%3D%201960%20%26%26%20title%20~%20%22dune%22&sort=-year', []),
  head('HEAD', '/healthz', []),
  head('OPTIONS', '/api/books', []),
  head('POST', '/api/books', ['Content-Type: application/json'], '{"title":"Dune","author":"Frank Herbert"}'),
  head(
    'POST',
    '/api/books',
    ['Content-Type: application/json', 'Idempotency-Key: "fuzz-1"'],
    '{"title":"Emma","author":"Jane Austen","year":1815}',
  ),
  head('PATCH', '/api/books/seeded', ['Content-Type: application/json-patch+json'], bomb),
  head('PATCH', '/api/books/seeded', ['Content-Type: application/merge-patch+json'], '{"year":1966}'),
  head(
    'PUT',
    '/api/books/seeded',
    ['Content-Type: application/json', 'If-Match: "x"'],
    '{"title":"T","author":"A"}',
  ),
  head(
    'POST',
    '/api/books',
    ['Content-Type: application/x-www-form-urlencoded'],
    'title=T&author=A&year=1999',
  ),
  head('POST', '/api/books', [`Content-Type: multipart/form-data; boundary=${boundary}`], multipartBody),
  [
    'POST /api/books HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    'Transfer-Encoding: chunked',
    '',
    '10',
    '{"title":"Chunk"',
    '14',
    ',"author":"Encoded"}',
    '0',
    '',
    '',
  ].join('\r\n'),
  head('GET', '/api/books', []) + head('GET', '/healthz', []),
  head('DELETE', '/api/books/nope', []),
];

type Mutation = (input: Buffer, rand: () => number) => Buffer;

const MUTATIONS: Mutation[] = [
  // zzuf: flip bits in a few bytes.
  (b, r) => {
    const out = Buffer.from(b);
    for (let i = 0; i < Math.max(1, out.length * 0.01); i++)
      out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
    return out;
  },
  // Insert odd bytes (CR, LF, NUL, high bytes, spaces, colons).
  (b, r) => {
    const at = Math.floor(r() * b.length);
    const bytes = Buffer.from([pick(r, [0x0d, 0x0a, 0x00, 0xff, 0x20, 0x3a, 0x7f, 0x09])]);
    return Buffer.concat([b.subarray(0, at), bytes, b.subarray(at)]);
  },
  // Drop a run of bytes.
  (b, r) => {
    const at = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(r() * 20))]);
  },
  // Cut the request short.
  (b, r) => b.subarray(0, Math.floor(r() * b.length)),
  // Repeat one header line many times.
  (b, r) => {
    const lines = b.toString('latin1').split('\r\n');
    const i = 1 + Math.floor(r() * Math.max(1, lines.indexOf('') - 1));
    lines.splice(i, 0, ...Array(1 + Math.floor(r() * 300)).fill(lines[i] ?? 'X-A: b'));
    return Buffer.from(lines.join('\r\n'), 'latin1');
  },
  // A huge header value, a huge URL (over the head limit or just over the URL limit).
  (b, r) =>
    Buffer.from(
      b.toString('latin1').replace('\r\n', `\r\nX-Big: ${'a'.repeat(pick(r, [9000, 20_000, 70_000]))}\r\n`),
      'latin1',
    ),
  (b, r) =>
    Buffer.from(
      b.toString('latin1').replace(/^(\S+ \/)/, `$1${'u'.repeat(pick(r, [9000, 20_000]))}`),
      'latin1',
    ),
  // Lies about length and framing.
  (b, r) =>
    Buffer.from(
      b
        .toString('latin1')
        .replace(
          '\r\n',
          `\r\n${pick(r, ['Content-Length: 99999999', 'Content-Length: 5, 7', 'Content-Length: -1', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Content-Length: 1\r\nTransfer-Encoding: chunked'])}\r\n`,
        ),
      'latin1',
    ),
  // Odd Expect, Host, version and method.
  (b, r) =>
    Buffer.from(
      b
        .toString('latin1')
        .replace('\r\n', `\r\n${pick(r, ['Expect: 100-continue', 'Expect: teapot', 'Expect:'])}\r\n`),
      'latin1',
    ),
  (b) => Buffer.from(b.toString('latin1').replace('Host: 127.0.0.1\r\n', ''), 'latin1'),
  (b, r) =>
    Buffer.from(
      b
        .toString('latin1')
        .replace('HTTP/1.1', pick(r, ['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', ''])),
      'latin1',
    ),
  (b, r) =>
    Buffer.from(
      b
        .toString('latin1')
        .replace(/^\S+/, pick(r, ['BREW', 'get', 'PURGE', 'CONNECT', 'TRACE', 'G\u00c9T', ''])),
      'latin1',
    ),
];

interface Outcome {
  status?: number;
  contentType?: string;
  body: string;
  closed: boolean;
  ms: number;
}

/** Send bytes (all at once, or dribbled), end our side, and read whatever comes back. */
function exchange(port: number, bytes: Buffer, dribble: boolean): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      const headPart = split < 0 ? text : text.slice(0, split);
      const type = /\r\ncontent-type: *([^\r\n]*)/i.exec(headPart);
      resolve({
        status: status ? Number(status[1]) : undefined,
        contentType: type?.[1],
        body: split < 0 ? '' : text.slice(split + 4),
        closed,
        ms: Date.now() - started,
      });
    };
    const limit = setTimeout(() => finish(false), CASE_LIMIT_MS);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      if (!dribble) {
        socket.end(bytes);
        return;
      }
      // A slow writer: a few bytes at a time, then it stops sending without closing.
      for (let i = 0; i < Math.min(bytes.length, 60) && !done; i += 6) {
        socket.write(bytes.subarray(i, i + 6));
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  });
}

/** The first body of a pipelined exchange, when it is a problem. */
function firstJson(body: string): Record<string, unknown> | undefined {
  for (let end = body.indexOf('}'); end >= 0; end = body.indexOf('}', end + 1)) {
    try {
      return JSON.parse(body.slice(0, end + 1));
    } catch {
      // Not there yet: pipelined bytes may follow the first body.
    }
  }
  return undefined;
}

describe('fuzzed bytes on the wire', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await testApp({ ...BOOKS_CONFIG, timeouts: { headers: 1, body: 1, idle: 1 } });
    await t.request({ method: 'PUT', url: '/api/books/seeded', payload: { title: 'Seed', author: 'S' } });
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(url).port);
  });
  after(() => t.close());

  test('never a 5xx, errors are problems, no connection hangs, and the server keeps answering', async () => {
    const rand = prng(Number(process.env.FUZZ_SEED ?? 20261201));
    const cases = Array.from({ length: CASES }, (_, i) => {
      let bytes: Buffer = Buffer.from(pick(rand, SEEDS), 'latin1');
      const rounds = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < rounds; k++) bytes = pick(rand, MUTATIONS)(bytes, rand);
      return { i, bytes, dribble: rand() < 0.05 };
    });
    const failures: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < cases.length) {
          const c = cases[next++];
          const out = await exchange(port, c.bytes, c.dribble);
          const what = `#${c.i} ${JSON.stringify(c.bytes.toString('latin1').slice(0, 120))}${c.dribble ? ' (dribbled)' : ''} → ${out.status ?? 'no answer'} ${out.body.slice(0, 160)}`;
          if (!out.closed && out.status === undefined) failures.push(`hung: ${what}`);
          if (out.status === undefined) continue;
          if (out.status >= 500 && out.status !== 501 && out.status !== 503) failures.push(`5xx: ${what}`);
          if (out.status >= 400 && !/^(application\/problem\+json|text\/html)/.test(out.contentType ?? '')) {
            failures.push(`not a problem: ${what}`);
          } else if (
            out.status >= 400 &&
            out.contentType?.startsWith('application/problem+json') &&
            !c.bytes.toString('latin1').startsWith('HEAD ')
          ) {
            const problem = firstJson(out.body);
            if (problem?.status !== out.status) failures.push(`problem status differs: ${what}`);
          }
        }
      }),
    );
    assert.deepEqual(failures, []);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    // Every fuzzed connection ends (timeouts, lingering closes): none is left holding a descriptor.
    const until = Date.now() + 15_000;
    let open = Number.POSITIVE_INFINITY;
    while (Date.now() < until) {
      open = await new Promise<number>((resolve) => t.app.server.getConnections((_e, n) => resolve(n)));
      if (open <= 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(open <= 1, `${open} connections still open`);
  });
});
