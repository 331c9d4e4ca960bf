/** `/_/`, `/_/docs` and their assets: pages like any other (ETag, 304, 405 + Allow, problems), open to anyone. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, type TestApp, testApp } from '../harness.js';
import { assertProblem } from './helpers.js';

let t: TestApp;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
});
after(() => t.close());

const BUILT = new URL('../../admin/dist/', import.meta.url);

describe('the admin page and the docs page', () => {
  const cases = [
    { url: '/_/', type: /^text\/html; charset=utf-8$/, file: 'index.html' },
    { url: '/_/docs', type: /^text\/html; charset=utf-8$/, file: 'docs.html' },
    { url: '/_/assets/admin.js', type: /^text\/javascript; charset=utf-8$/, file: 'admin.js' },
    { url: '/_/assets/admin.css', type: /^text\/css; charset=utf-8$/, file: 'admin.css' },
  ];
  for (const c of cases) {
    test(`GET ${c.url}: the built file, a strong ETag, no-cache, the security headers; 304 on revisit`, async () => {
      const res = await t.request({ method: 'GET', url: c.url });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), c.type);
      assert.equal(res.body, readFileSync(new URL(c.file, BUILT), 'utf8'));
      const etag = String(res.headers.etag);
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
      const again = await t.request({ method: 'GET', url: c.url, headers: { 'if-none-match': etag } });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      assert.equal(again.headers.etag, etag);
      const head = await t.request({ method: 'HEAD', url: c.url });
      assert.equal(head.statusCode, 200);
      assert.equal(head.headers.etag, etag);
    });
  }

  test('the pages load their script and stylesheet from the package, relative to /_/', () => {
    for (const name of ['index.html', 'docs.html']) {
      const html = readFileSync(new URL(name, BUILT), 'utf8');
      assert.match(html, /<script type="module" src="assets\/admin\.js"><\/script>/);
      assert.match(html, /<link rel="stylesheet" href="assets\/admin\.css">/);
      assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
    }
  });

  test('before any script runs, /_/ is a sign-in form that signs a browser in and comes back to /_/', async () => {
    const page = await t.request({ method: 'GET', url: '/_/' });
    assert.match(page.body, /<form method="post" action="\/api\/auth\/login"/);
    assert.match(page.body, /<input type="hidden" name="_redirect" value="\/_\/">/);
    assert.match(page.body, /<button type="submit">Sign in<\/button>/);
    const email = 'form-admin@example.com';
    const password = 'a long admin passphrase';
    const reg = await t.request({ method: 'POST', url: '/api/auth/register', payload: { email, password } });
    assert.equal(reg.statusCode, 201, reg.body);
    const login = await t.request({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ _redirect: '/_/', email, password }).toString(),
    });
    assert.equal(login.statusCode, 303, login.body);
    assert.equal(login.headers.location, '/_/');
    assert.match(String(login.headers['set-cookie']), /methodical_session=/);
  });

  test('an unknown asset is a 404 problem; other methods are 405 with Allow', async () => {
    assertProblem(await t.request({ method: 'GET', url: '/_/assets/nope.js' }), 404);
    const post = await t.request({ method: 'POST', url: '/_/', payload: {} });
    assertProblem(post, 405);
    assert.equal(post.headers.allow, 'GET, HEAD, OPTIONS');
    const options = await t.request({ method: 'OPTIONS', url: '/_/docs' });
    assert.equal(options.statusCode, 204);
    assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS');
  });
});
