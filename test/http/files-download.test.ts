/**
 * GET/HEAD /api/files/{collection}/{id}/{field}/{filename}: the view rule,
 * validators (304/412), single ranges (206/416, If-Range), and the headers
 * that keep a download safe. Records and blobs are seeded directly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { createApp } from '../../src/http/app.js';
import { fileRoutes } from '../../src/http/routes/files.js';
import { compileSchema } from '../../src/schema/compile-schema.js';
import { RecordReader } from '../../src/service/record-reader.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storedFilename } from '../../src/util/filename.js';
import { sniffType } from '../../src/util/sniff.js';
import { json, PUBLIC_RULES, type TestApp } from '../harness.js';
import { assertProblem } from './helpers.js';

const ROUTE = '/api/files/:collection/:id/:field/:filename';

const CONFIG: UserConfig = {
  collections: {
    books: {
      fields: {
        title: { type: 'text', required: true },
        published: { type: 'boolean' },
        cover: { type: 'file' },
        gallery: { type: 'file', multiple: true },
      },
      rules: { ...PUBLIC_RULES, view: 'published = true' },
    },
    diaries: {
      fields: { title: { type: 'text' }, page: { type: 'file' } },
      rules: { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' },
    },
  },
};

/** An app like the harness builds, with the download route added if createApp does not register it yet. */
async function filesApp(): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'methodical-files-'));
  const config = validateConfig(CONFIG, 'test.config.json', dir);
  const store = new SqliteStore({ path: join(dir, 'data.db'), collections: config.collections });
  await store.migrate(await store.planMigration());
  const files = new LocalFileStorage(join(dir, 'files'));
  const app = createApp({ config, store, files });
  app.after(() => {
    if (app.hasRoute({ method: 'GET', url: ROUTE })) return;
    const schema = compileSchema(config);
    fileRoutes(app, { schema, reader: new RecordReader({ store, schema, limits: config.limits }) }, files);
  });
  await app.ready();
  const close = async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { app, store, files, config, dir, request: (o) => app.inject(o), close };
}

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'),
]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

/** Stage and commit a blob for a record; returns its stored name. */
async function upload(t: TestApp, collection: string, id: string, original: string, bytes: Buffer) {
  const staged = await t.files.stage(Readable.from([bytes]), 1_000_000);
  const { type, ext } = sniffType(staged.head);
  const name = storedFilename(original, ext);
  await t.files.commit(staged.token, `${collection}/${id}/${name}`, { type, originalName: original });
  return name;
}

async function insert(t: TestApp, collection: string, record: Record<string, unknown> & { id: string }) {
  const now = new Date().toISOString();
  await t.store.transaction((tx) => tx.insert(collection, { created: now, updated: now, ...record }));
}

describe('file downloads', () => {
  let t: TestApp;
  const names = { cover: '', pdf: '', svg: '', hidden: '', orphan: '' };
  let url = '';
  const get = (path: string, headers: Record<string, string> = {}) =>
    t.request({ method: 'GET', url: path, headers });

  before(async () => {
    t = await filesApp();
    names.cover = await upload(t, 'books', 'b1', 'cover.png', PNG);
    names.pdf = await upload(t, 'books', 'b1', 'résumé "2024".pdf', PDF);
    names.svg = await upload(t, 'books', 'b1', 'logo.svg', SVG);
    names.orphan = await upload(t, 'books', 'b1', 'orphan.png', PNG);
    names.hidden = await upload(t, 'books', 'b2', 'secret.png', PNG);
    await insert(t, 'books', {
      id: 'b1',
      title: 'Dune',
      published: true,
      cover: names.cover,
      gallery: [names.pdf, names.svg, 'gone_aaaaaaaaaa.png'],
    });
    await insert(t, 'books', {
      id: 'b2',
      title: 'Draft',
      published: false,
      cover: names.hidden,
      gallery: [],
    });
    url = `/api/files/books/b1/cover/${names.cover}`;
  });
  after(() => t.close());

  it('serves the file with its type, validators and a safe disposition', async () => {
    assert.match(names.cover, /^cover_[a-z0-9]{10}\.png$/);
    const res = await get(url);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.rawPayload, PNG);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(res.headers['content-length'], String(PNG.length));
    assert.equal(
      res.headers['content-disposition'],
      `inline; filename="cover.png"; filename*=UTF-8''cover.png`,
    );
    assert.match(String(res.headers.etag), /^"[A-Za-z0-9_-]{27}"$/);
    assert.ok(Date.parse(String(res.headers['last-modified'])) <= Date.parse(String(res.headers.date)));
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['content-security-policy']), /sandbox/);
    assert.match(String(res.headers.vary), /Authorization/);
  });

  it('sends non-images and SVG as attachments with the original name', async () => {
    const pdf = await get(`/api/files/books/b1/gallery/${names.pdf}`);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(
      pdf.headers['content-disposition'],
      `attachment; filename="resume \\"2024\\".pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%222024%22.pdf`,
    );
    const svg = await get(`/api/files/books/b1/gallery/${names.svg}`);
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.match(String(svg.headers['content-disposition']), /^attachment;/);
  });

  it('HEAD answers the same headers without a body, and ignores Range', async () => {
    const full = await get(url);
    for (const headers of [{}, { range: 'bytes=0-3' }]) {
      const head = await t.request({ method: 'HEAD', url, headers });
      assert.equal(head.statusCode, 200);
      assert.equal(head.body, '');
      assert.equal(head.headers['content-length'], String(PNG.length));
      for (const name of ['content-type', 'content-disposition', 'etag', 'last-modified', 'accept-ranges']) {
        assert.equal(head.headers[name], full.headers[name], name);
      }
    }
  });

  const ranges: [string, number, number][] = [
    ['bytes=0-3', 0, 3],
    ['bytes=0-0', 0, 0],
    ['bytes=10-', 10, PNG.length - 1],
    ['bytes=-5', PNG.length - 5, PNG.length - 1],
    ['bytes=40-9999', 40, PNG.length - 1],
  ];
  for (const [range, start, end] of ranges) {
    it(`Range ${range} → 206 with bytes ${start}-${end}`, async () => {
      const res = await get(url, { range });
      assert.equal(res.statusCode, 206);
      assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${PNG.length}`);
      assert.equal(res.headers['content-length'], String(end - start + 1));
      assert.deepEqual(res.rawPayload, PNG.subarray(start, end + 1));
      assert.equal(res.headers['content-type'], 'image/png');
      assert.ok(res.headers.etag);
    });
  }

  it('an unsatisfiable range is a 416 naming the size', async () => {
    const res = await get(url, { range: `bytes=${PNG.length}-` });
    assertProblem(res, 416);
    assert.equal(res.headers['content-range'], `bytes */${PNG.length}`);
  });

  for (const range of ['bytes=0-1,4-5', 'bytes=5-2', 'lines=1-2', 'nonsense']) {
    it(`Range ${range} is ignored: the whole file`, async () => {
      const res = await get(url, { range });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-range'], undefined);
      assert.deepEqual(res.rawPayload, PNG);
    });
  }

  it('If-Range with the current ETag or date keeps the range; a stale one gets the whole file', async () => {
    const { etag, 'last-modified': modified } = (await get(url)).headers;
    const current = await get(url, { range: 'bytes=0-3', 'if-range': String(etag) });
    assert.equal(current.statusCode, 206);
    const byDate = await get(url, { range: 'bytes=0-3', 'if-range': String(modified) });
    assert.equal(byDate.statusCode, 206);
    const stale = await get(url, { range: 'bytes=0-3', 'if-range': '"old"' });
    assert.equal(stale.statusCode, 200);
    assert.deepEqual(stale.rawPayload, PNG);
    const weak = await get(url, { range: 'bytes=0-3', 'if-range': `W/${etag}` });
    assert.equal(weak.statusCode, 200);
    assert.equal((await get(url, { range: 'bytes=999-', 'if-range': '"old"' })).statusCode, 200);
  });

  it('If-None-Match and If-Modified-Since answer 304 without a body', async () => {
    const { etag, 'last-modified': modified } = (await get(url)).headers;
    const byTag = await get(url, { 'if-none-match': String(etag) });
    assert.equal(byTag.statusCode, 304);
    assert.equal(byTag.body, '');
    assert.equal(byTag.headers.etag, etag);
    assert.equal(byTag.headers['cache-control'], 'no-cache');
    const byDate = await get(url, { 'if-modified-since': String(modified) });
    assert.equal(byDate.statusCode, 304);
    assert.equal((await get(url, { 'if-none-match': '"other"' })).statusCode, 200);
    assert.equal((await get(url, { 'if-none-match': String(etag), range: 'bytes=0-1' })).statusCode, 304);
  });

  it('If-Match that fails is a 412', async () => {
    assertProblem(await get(url, { 'if-match': '"other"' }), 412);
    assert.equal((await get(url, { 'if-match': String((await get(url)).headers.etag) })).statusCode, 200);
  });

  const missing: [string, () => string][] = [
    ['a field that is not a file field', () => `/api/files/books/b1/title/${names.cover}`],
    ['a field that does not exist', () => `/api/files/books/b1/nope/${names.cover}`],
    ['another file field of the record', () => `/api/files/books/b1/gallery/${names.cover}`],
    ['a name the record does not hold', () => `/api/files/books/b1/cover/${names.orphan}`],
    ['a name the record holds whose blob is gone', () => '/api/files/books/b1/gallery/gone_aaaaaaaaaa.png'],
    ['a path piece in the name', () => '/api/files/books/b1/cover/..%2F..%2Fdata.db'],
    ['a missing record', () => `/api/files/books/zzz/cover/${names.cover}`],
    ['a record the caller may not view', () => `/api/files/books/b2/cover/${names.hidden}`],
    ['a missing collection', () => `/api/files/nope/b1/cover/${names.cover}`],
  ];
  for (const [name, path] of missing) {
    it(`404 for ${name}`, async () => {
      assertProblem(await get(path()), 404);
      const head = await t.request({ method: 'HEAD', url: path() });
      assert.equal(head.statusCode, 404);
      assert.equal(head.body, '');
    });
  }

  it('other methods are 405 with the Allow list', async () => {
    const res = await t.request({ method: 'DELETE', url });
    assertProblem(res, 405);
    assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
  });
});

describe('file downloads under an owner rule', () => {
  let t: TestApp;
  let owner = '';
  let other = '';
  let url = '';

  async function signIn(email: string): Promise<{ id: string; token: string }> {
    const password = 'correct horse battery';
    const reg = await t.request({ method: 'POST', url: '/api/auth/register', payload: { email, password } });
    assert.equal(reg.statusCode, 201, reg.body);
    const res = await t.request({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    assert.equal(res.statusCode, 200, res.body);
    return { id: json(reg).id as string, token: json(res).token as string };
  }

  before(async () => {
    t = await filesApp();
    const alice = await signIn('alice@example.com');
    const bob = await signIn('bob@example.com');
    owner = alice.token;
    other = bob.token;
    const name = await upload(t, 'diaries', 'd1', 'page.png', PNG);
    await insert(t, 'diaries', { id: 'd1', title: 'Mine', page: name, owner: alice.id });
    url = `/api/files/diaries/d1/page/${name}`;
  });
  after(() => t.close());

  it('serves the owner, privately', async () => {
    const res = await t.request({ method: 'GET', url, headers: { authorization: `Bearer ${owner}` } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'private, no-cache');
    assert.deepEqual(res.rawPayload, PNG);
  });

  it('is a 404 to another user and a 401 to an anonymous caller', async () => {
    assertProblem(
      await t.request({ method: 'GET', url, headers: { authorization: `Bearer ${other}` } }),
      404,
    );
    assertProblem(await t.request({ method: 'GET', url }), 401);
  });
});
