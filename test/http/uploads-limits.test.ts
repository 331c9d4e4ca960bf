/**
 * Server-wide multipart limits (`limits: { parts, fieldSize, multipart }`):
 * each a 413 with a detail that names the limit, nothing stored or staged.
 * And PRODUCT.md: a failed or aborted upload leaves no file behind.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, stored } from './helpers.js';
import { fields, MULTIPART_TYPE, multipart, type Part } from './multipart.js';
import { allBlobs, assertNoStaging, PNG, sendMultipart, staged } from './upload-helpers.js';

const LIMITS = { parts: 4, fieldSize: 64, multipart: 4096 };

const CONFIG: UserConfig = {
  limits: LIMITS,
  collections: {
    uploads: {
      fields: {
        title: { type: 'text' },
        note: { type: 'text' },
        tags: { type: 'select', values: ['c', 'd', 'e'], multiple: true },
        doc: { type: 'file' },
        big: { type: 'file', maxSize: 1024 * 1024 },
        pics: { type: 'file', multiple: true, maxSize: 1000 },
      },
      rules: PUBLIC_RULES,
    },
  },
};

const bytes = (n: number) => Buffer.concat([PNG, Buffer.alloc(n - PNG.length, 0x20)]);

const CASES: { name: string; parts: Part[]; status: number; detail?: RegExp; field?: string }[] = [
  { name: 'exactly `parts` parts', parts: fields({ title: 'a', note: 'b', tags: ['c', 'd'] }), status: 201 },
  {
    name: 'one part too many',
    parts: fields({ title: 'a', note: 'b', tags: ['c', 'd', 'e'] }),
    status: 413,
    detail: /more than the 4 parts .*\(limits\.parts\)/,
  },
  { name: 'a text field of exactly fieldSize bytes', parts: fields({ title: 'x'.repeat(64) }), status: 201 },
  {
    name: 'a text field one byte over fieldSize',
    parts: fields({ title: 'x'.repeat(65) }),
    status: 413,
    detail: /"title".*64 bytes/,
  },
  {
    name: 'a multi-byte text field over fieldSize (counted in bytes)',
    parts: fields({ note: 'é'.repeat(33) }),
    status: 413,
    detail: /"note".*64 bytes/,
  },
  {
    name: 'a file of exactly the server-wide size (field without maxSize)',
    parts: [{ name: 'doc', filename: 'a.png', data: bytes(4096) }],
    status: 201,
  },
  {
    name: 'a file one byte over the server-wide size (field without maxSize)',
    parts: [{ name: 'doc', filename: 'a.png', data: bytes(4097) }],
    status: 413,
    detail: /"doc".*4096 bytes/,
    field: 'doc',
  },
  {
    name: 'a file under its own maxSize but over the server-wide size',
    parts: [{ name: 'big', filename: 'b.png', data: bytes(5000) }],
    status: 413,
    detail: /"big".*4096 bytes/,
    field: 'big',
  },
];

describe('multipart limits from the config', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
  });
  after(() => t.close());

  for (const row of CASES) {
    test(`${row.name} → ${row.status}`, async () => {
      const before = { records: (await stored(t, 'uploads')).length, blobs: allBlobs(t) };
      const res = await sendMultipart(t, '/api/uploads', row.parts, {
        headers: { accept: 'application/json' },
      });
      if (row.status === 201) {
        assert.equal(res.statusCode, 201, res.body);
        const record = json(res);
        const sent = row.parts[0];
        if ('value' in sent) assert.equal(record[sent.name], sent.value, 'stored whole');
        else assert.match(String(record[sent.name]), /_[a-z0-9]{10}\.png$/);
        assert.equal((await stored(t, 'uploads')).length, before.records + 1);
      } else {
        const problem = assertProblem(res, row.status, { detail: row.detail });
        assert.equal(res.headers.connection, 'close');
        if (row.field) {
          assert.deepEqual(problem.errors, [
            { field: row.field, code: 'file_size', message: 'must be at most 4096 bytes' },
          ]);
        }
        assert.equal((await stored(t, 'uploads')).length, before.records, 'nothing stored');
        assert.deepEqual(allBlobs(t), before.blobs, 'no file kept');
      }
      assertNoStaging(t);
    });
  }

  test('a later file over maxSize also drops the files staged before it', async () => {
    const res = await sendMultipart(t, '/api/uploads', [
      { name: 'pics', filename: 'ok.png', data: bytes(1000) },
      { name: 'pics', filename: 'big.png', data: bytes(1001) },
    ]);
    const problem = assertProblem(res, 413, { detail: /"pics".*1000 bytes/ });
    assert.deepEqual(
      (problem.errors as { code: string }[]).map((e) => e.code),
      ['file_size'],
    );
    assert.ok(!allBlobs(t).some((p) => p.includes('/ok_')));
    assertNoStaging(t);
  });

  test('files that fit one by one but not together exceed the request-wide `multipart` limit: 413', async () => {
    const blobs = allBlobs(t);
    const res = await sendMultipart(t, '/api/uploads', [
      { name: 'doc', filename: 'a.png', data: bytes(3000) },
      { name: 'pics', filename: 'b.png', data: bytes(1000) },
      { name: 'big', filename: 'c.png', data: bytes(1000) },
    ]);
    assertProblem(res, 413, { detail: /together exceed the 4096 bytes/ });
    assert.equal(res.headers.connection, 'close');
    assert.deepEqual(allBlobs(t), blobs, 'no file kept');
    assertNoStaging(t);
  });

  test('a text field cut at fieldSize is never stored cut', async () => {
    const res = await sendMultipart(t, '/api/uploads', fields({ title: 'y'.repeat(500) }));
    assert.equal(res.statusCode, 413);
    assert.ok(!(await stored(t, 'uploads')).some((r) => String(r.title).startsWith('y')));
  });

  test('a urlencoded form over the body limit is a 413 too', async () => {
    const small = await testApp({ ...CONFIG, limits: { ...LIMITS, json: 1024 } });
    try {
      const res = await small.request({
        method: 'POST',
        url: '/api/uploads',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `title=${'z'.repeat(2000)}`,
      });
      assertProblem(res, 413);
      assert.equal((await stored(small, 'uploads')).length, 0);
    } finally {
      await small.close();
    }
  });
});

describe("malformed multipart bodies are the client's mistake: 400, nothing kept", () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
  });
  after(() => t.close());

  const whole = multipart([
    { name: 'title', value: 'cut' },
    { name: 'doc', filename: 'a.png', data: bytes(2000) },
  ]).payload;
  const MALFORMED = [
    { name: 'no boundary parameter', type: 'multipart/form-data', payload: whole, detail: /boundary/ },
    {
      name: 'cut before the closing boundary',
      type: MULTIPART_TYPE,
      payload: whole.subarray(0, -10),
      detail: /ended/,
    },
    {
      name: 'cut inside a file part',
      type: MULTIPART_TYPE,
      payload: whole.subarray(0, 1000),
      detail: /ended/,
    },
    { name: 'not multipart at all', type: MULTIPART_TYPE, payload: Buffer.from('title=x'), detail: /ended/ },
  ];
  for (const row of MALFORMED) {
    test(row.name, async () => {
      const res = await t.request({
        method: 'POST',
        url: '/api/uploads',
        payload: row.payload,
        headers: { 'content-type': row.type },
      });
      assertProblem(res, 400, { detail: row.detail });
      assert.equal((await stored(t, 'uploads')).length, 0);
      assert.deepEqual(allBlobs(t), []);
      assertNoStaging(t);
    });
  }
});

/** Polls until `done()` or the time is up; returns whether it held. */
async function waitFor(done: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describe('an upload aborted halfway', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await testApp({
      collections: {
        uploads: { fields: { title: { type: 'text' }, doc: { type: 'file' } }, rules: PUBLIC_RULES },
      },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    assert.ok(address && typeof address === 'object');
    port = address.port;
  });
  after(() => t.close());

  test('leaves no record and no staged file, and the server keeps answering', async () => {
    const declared = 8 * 1024 * 1024;
    // Everything up to and into the file part; the closing boundary never comes.
    const full = multipart([
      { name: 'title', value: 'aborted' },
      { name: 'doc', filename: 'half.bin', data: Buffer.alloc(0) },
    ]).payload;
    const opening = full.subarray(0, full.indexOf('\r\n\r\n', full.indexOf('filename=')) + 4);
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => {}); // The server may reset the connection after we destroy it.
    socket.write(
      `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${MULTIPART_TYPE}\r\n` +
        `Content-Length: ${declared}\r\n\r\n`,
    );
    socket.write(opening);
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    for (let sent = 0; sent < declared / 2; sent += chunk.length) socket.write(chunk);
    // The server has begun staging the file: the upload really is halfway.
    assert.ok(await waitFor(() => staged(t).length > 0), 'the upload is being staged');
    socket.destroy();

    assert.ok(await waitFor(() => staged(t).length === 0), `staging emptied: ${staged(t).join(', ')}`);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await stored(t, 'uploads')).length, 0, 'no record');
    assert.deepEqual(allBlobs(t), []);
    assertNoStaging(t);
  });
});
