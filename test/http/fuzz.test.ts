/**
 * Deterministic fuzzing: a few thousand odd requests (methods, paths, headers,
 * bodies and query strings mixed at random from hostile pieces). None may be
 * a 5xx, every error must be a problem, the app must still answer after, and
 * after every write no relation in the database points to a missing record.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { BOOKS_CONFIG, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { pick, prng } from './prng.js';
import { assertNoDanglingRelations } from './relation-check.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const PATHS = [
  '/api/books',
  '/api/books/abc',
  '/api/books/%00',
  '/api/books/..%2F..%2Fetc',
  '/api/books/' + 'x'.repeat(300),
  '/api/nope',
  '/api/batch',
  '/api/auth/login',
  '/api/auth/register',
  '/api/auth/me',
  '/api/files/books/abc/title/x.png',
  '/api/openapi.json',
  '/healthz',
  '/api/guarded',
  '/api/photos',
  '/api/photos/p1',
  '/api/files/photos/p1/image/a_abcdefghij.png',
  '/api/users',
  '/api/auth/logout',
  // Relations of each onDelete kind, to records the fuzz creates (books abc and b2) and deletes.
  '/api/books/b2',
  '/api/reviews',
  '/api/reviews/r1',
  '/api/loans',
  '/api/loans/l1',
  '/api/shelves',
  '/api/shelves/s1',
];
const QUERIES = [
  '',
  '?filter=' + encodeURIComponent('(((year'),
  '?filter=' + encodeURIComponent('title ~ "\\u0000"'),
  '?filter=' + encodeURIComponent('year = 1 || '.repeat(50) + 'year = 2'),
  '?sort=-,,title',
  '?page=0&perPage=-1',
  '?page=99999999999999999999',
  '?fields=__proto__',
  '?expand=title',
  '?title[]=x&title[]=y',
  '?__proto__[x]=1',
  '?skipTotal=maybe',
  // Bounds: too many comparisons, too long, too deep, expansions and pages too large.
  '?filter=' + encodeURIComponent(Array(150).fill('year != 1').join(' && ')),
  '?filter=' + encodeURIComponent(`title ~ "${'a'.repeat(4000)}b"`),
  '?filter=' + encodeURIComponent('('.repeat(70) + 'year = 1' + ')'.repeat(70)),
  '?perPage=500&expand=title',
  '?' + Array.from({ length: 120 }, (_, i) => `title=${i}`).join('&'),
];
const BODIES: (string | Buffer | undefined)[] = [
  undefined,
  '',
  '{}',
  'null',
  '[]',
  '{"title":"T","author":"A"}',
  '{"title":1e309}',
  '{"__proto__":{"admin":true},"title":"x","author":"y"}',
  '[{"op":"replace","path":"/title","value":"z"}]',
  '[{"op":"move","from":"/title","path":"/title/x"}]',
  '{"requests":[{"method":"POST","url":"/api/books","body":{"title":"b","author":"c"}},{"method":"GET","url":"/"}]}',
  `{"a":${'['.repeat(200)}${']'.repeat(200)}}`,
  Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
  'title=T&author=A&year=abc',
  '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nT\r\n--x--\r\n',
  '--x\r\nContent-Disposition: form-data; name="image"; filename="../a.png"\r\nContent-Type: image/png\r\n\r\nnot a png\r\n--x--\r\n',
  '--x\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n',
  'email=a%40b.io&password=short&_redirect=%2F%2Fevil',
  // Bounds: a copy bomb, too many operations, a deep add, a huge batch, too many form fields.
  JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ op: 'copy', from: '', path: `/k${i}` }))),
  JSON.stringify(Array.from({ length: 150 }, () => ({ op: 'test', path: '/title', value: 'x' }))),
  JSON.stringify([{ op: 'add', path: '/tags', value: JSON.parse(`${'['.repeat(63)}${']'.repeat(63)}`) }]),
  JSON.stringify({
    requests: Array.from({ length: 150 }, () => ({ method: 'DELETE', url: '/api/books/x' })),
  }),
  Array.from({ length: 150 }, (_, i) => `f${i}=v`).join('&'),
  `--${'b'.repeat(300)}\r\nContent-Disposition: form-data; name="title"\r\n\r\nT\r\n--${'b'.repeat(300)}--\r\n`,
  // Relations: to existing and missing books, single and multiple, as JSON, a patch and a form.
  '{"book":"abc","text":"r"}',
  '{"book":"b2"}',
  '{"item":"abc"}',
  '{"item":"b2","title":"T","author":"A"}',
  '{"favourite":"b2","books":["abc","b2"]}',
  '{"books":["abc","nope"]}',
  '{"book":"r1","favourite":null,"books":[]}',
  '[{"op":"add","path":"/books/-","value":"abc"}]',
  'book=abc&item=b2&favourite=abc',
  '{"requests":[{"method":"PUT","url":"/api/books/abc","body":{"title":"T","author":"A"}},{"method":"POST","url":"/api/reviews","body":{"book":"abc"}},{"method":"DELETE","url":"/api/books/abc"}]}',
];
const TYPES = [
  undefined,
  'application/json',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  `multipart/form-data; boundary=${'b'.repeat(300)}`,
  'text/plain',
  'application/json; charset=latin1',
];
const HEADERS: Record<string, string>[] = [
  {},
  { 'if-match': 'W/"x", "y", *' },
  { 'if-none-match': '*' },
  { 'if-modified-since': 'yesterday' },
  { 'if-unmodified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
  { 'idempotency-key': '"k\\"1"' },
  { 'idempotency-key': 'ключ' },
  { 'idempotency-key': '' },
  { accept: 'text/html' },
  { accept: 'application/xml;q=0.9, */*;q=0' },
  { authorization: 'Bearer' },
  { authorization: 'Basic dXNlcjpwYXNz' },
  { cookie: 'methodical_session=nope; methodical_session=again' },
  { prefer: 'return=minimal; return=representation' },
  { range: 'bytes=5-1, -0' },
  { origin: 'null', cookie: 'methodical_session=x' },
  { 'x-forwarded-proto': 'https', 'x-forwarded-for': '1.2.3.4, ::1' },
  { expect: 'teapot' },
  { 'if-match': '*', 'idempotency-key': 'x'.repeat(300) },
];

describe('fuzzed requests', () => {
  let t: TestApp;
  const headers = [...HEADERS];
  before(async () => {
    t = await testApp({
      ...BOOKS_CONFIG,
      trustProxy: true,
      collections: {
        ...BOOKS_CONFIG.collections,
        photos: {
          fields: { image: { type: 'file', maxSize: 64, accept: ['image/png'] }, caption: { type: 'text' } },
          rules: { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' },
        },
        reviews: {
          fields: {
            book: { type: 'relation', collection: 'books', onDelete: 'cascade' },
            text: { type: 'text' },
          },
          rules: PUBLIC_RULES,
        },
        loans: { fields: { item: { type: 'relation', collection: 'books' } }, rules: PUBLIC_RULES },
        shelves: {
          fields: {
            favourite: { type: 'relation', collection: 'books', onDelete: 'setNull' },
            books: { type: 'relation', collection: 'books', multiple: true, onDelete: 'setNull' },
          },
          rules: PUBLIC_RULES,
        },
      },
    });
    // Records that relations of every onDelete kind point to, for the fuzz to change and delete.
    for (const [url, payload] of [
      ['/api/books/abc', { title: 'T', author: 'A' }],
      ['/api/books/b2', { title: 'T2', author: 'A' }],
      ['/api/reviews/r1', { book: 'abc' }],
      ['/api/loans/l1', { item: 'b2' }],
      ['/api/shelves/s1', { favourite: 'abc', books: ['abc', 'b2'] }],
    ] as const) {
      const res = await t.request({ method: 'PUT', url, payload });
      assert.equal(res.statusCode, 201, res.body);
    }
    const credentials = { email: 'fuzz@example.com', password: 'long enough' };
    await t.request({ method: 'POST', url: '/api/auth/register', payload: credentials });
    const login = await t.request({ method: 'POST', url: '/api/auth/login', payload: credentials });
    const { token } = JSON.parse(login.body) as { token: string };
    headers.push({ authorization: `Bearer ${token}` }, { cookie: `methodical_session=${token}` });
    headers.push({ cookie: `methodical_session=${token}`, origin: 'https://evil.example' });
  });
  after(() => t.close());

  test('never a 5xx, errors always problems, and the app keeps answering', async () => {
    const rand = prng(Number(process.env.FUZZ_SEED ?? 20261121));
    let relationsChecked = 0;
    for (let i = 0; i < 1500; i++) {
      const type = pick(rand, TYPES);
      const request: InjectOptions = {
        method: pick(rand, METHODS),
        url: pick(rand, PATHS) + pick(rand, QUERIES),
        headers: { ...pick(rand, headers), ...(type ? { 'content-type': type } : {}) },
      };
      const body = pick(rand, BODIES);
      if (body !== undefined && request.method !== 'GET' && request.method !== 'HEAD') request.payload = body;
      const res = await t.request(request);
      const what = `#${i} ${request.method} ${request.url} ${JSON.stringify(request.headers)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
      assert.ok(res.statusCode < 500, what);
      if (res.statusCode >= 400 && request.method !== 'HEAD') {
        assert.match(String(res.headers['content-type']), /^(application\/problem\+json|text\/html)/, what);
      }
      if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method as string)) {
        relationsChecked += await assertNoDanglingRelations(t, `after ${what}`);
      }
    }
    assert.ok(relationsChecked > 0, 'the fuzz stored some relations to check');
    const health = await t.request({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
  });
});
