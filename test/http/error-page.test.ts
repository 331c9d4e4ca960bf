/**
 * Error pages for requests that prefer HTML: the config's errorPage first
 * (never for JSON clients), the built-in page when it answers undefined or
 * throws; the status is the problem's either way. The built-in page shows
 * the status, says in plain words what happened, the detail and a way back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ErrorPageContext } from '../../src/config/app-types.js';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { bearer, registerAndLogin } from './auth-helpers.js';
import { assertProblem, mediaType, stored } from './helpers.js';
import { urlencoded } from './multipart.js';

const BROWSER = 'text/html,application/xhtml+xml,*/*;q=0.8';

const BASE: UserConfig = {
  collections: {
    books: {
      fields: { title: { type: 'text', required: true }, year: { type: 'integer', min: 0 } },
      rules: PUBLIC_RULES,
    },
  },
  routes: {
    'GET /status/:n': (ctx) => ctx.problem(Number(ctx.params.n), `Detail for ${ctx.params.n} <i>`),
  },
};

function errorPage(ctx: ErrorPageContext) {
  if (ctx.path.startsWith('/status/4')) return undefined;
  if (ctx.path === '/status/503') throw new Error('the error page itself failed');
  if (ctx.path === '/status/502') return '<b>a string is not ctx.html</b>' as never;
  const fields = ctx.errors.map((e) => ctx.html`<li data-code="${e.code}">${e.field}: ${e.message}</li>`);
  return ctx.html`<main class="mine"><h1>${ctx.status} ${ctx.title}</h1><p>${ctx.detail}</p><ul>${fields}</ul><p>${ctx.method} ${ctx.path} ${ctx.auth?.email ?? 'anonymous'}</p><a href="${ctx.back}">Back</a></main>`;
}

describe('the config’s errorPage', () => {
  let t: TestApp;
  const logged: string[] = [];
  before(async () => {
    t = await testApp(
      { ...BASE, errorPage },
      { logger: { level: 'error', stream: { write: (line: string) => logged.push(line) } } },
    );
  });
  after(() => t.close());

  test('renders the page of a browser’s 404, with its status', async () => {
    const res = await t.request({ method: 'GET', url: '/nowhere', headers: { accept: BROWSER } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(
      res.body,
      '<main class="mine"><h1>404 Not Found</h1><p>Nothing is served at /nowhere.</p><ul></ul><p>GET /nowhere anonymous</p><a href="/">Back</a></main>',
    );
  });

  test('is given each field problem of a 422 from a form, and the caller', async () => {
    const user = await registerAndLogin(t, 'reader@example.com');
    const body = urlencoded({ title: '', year: '-1' });
    const res = await t.request({
      method: 'POST',
      url: '/api/books',
      payload: body.payload,
      headers: {
        ...body.headers,
        ...bearer(user),
        accept: BROWSER,
        referer: 'http://localhost/add?x=1',
      },
    });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /<li data-code="required">title: is required<\/li>/);
    assert.match(res.body, /<li data-code="min">year: [^<]+<\/li>/);
    assert.match(res.body, /POST \/api\/books reader@example\.com/);
    assert.match(res.body, /<a href="\/add\?x=1">Back<\/a>/);
    assert.equal((await stored(t, 'books')).length, 0);
  });

  test('is never used for a JSON client: problem+json as always', async () => {
    for (const accept of [undefined, 'application/json', '*/*']) {
      const res = await t.request({ method: 'GET', url: '/nowhere', headers: accept ? { accept } : {} });
      assertProblem(res, 404);
    }
  });

  test('undefined from it keeps the built-in page, with the status', async () => {
    const res = await t.request({ method: 'GET', url: '/status/409', headers: { accept: BROWSER } });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /<p class="status">409<\/p>/);
    assert.ok(!res.body.includes('class="mine"'));
  });

  test('a throw, or something other than ctx.html, falls back to the built-in page and is logged', async () => {
    for (const status of [503, 502]) {
      const res = await t.request({ method: 'GET', url: `/status/${status}`, headers: { accept: BROWSER } });
      assert.equal(res.statusCode, status);
      assert.equal(mediaType(res), 'text/html');
      assert.match(res.body, new RegExp(`<p class="status">${status}</p>`));
      assert.match(res.body, /Something went wrong on our side/);
    }
    const lines = logged.join('');
    assert.match(lines, /the error page itself failed/);
    assert.match(lines, /errorPage must return ctx\.html/);
  });

  test('escapes what it interpolates', async () => {
    const res = await t.request({ method: 'GET', url: '/status/500', headers: { accept: BROWSER } });
    assert.equal(res.statusCode, 500);
    assert.match(res.body, /<p>Detail for 500 &lt;i&gt;<\/p>/);
  });
});

describe('the built-in error page', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BASE);
  });
  after(() => t.close());

  const words: [number, RegExp][] = [
    [400, /Something in this request was not right/],
    [401, /You need to sign in/],
    [403, /You are not allowed to do this/],
    [404, /There is nothing here/],
    [409, /This clashes with something that is already there/],
    [412, /Someone else changed this meanwhile/],
    [413, /That is too large/],
    [422, /Some of what you entered needs fixing/],
    [429, /Too many attempts/],
    [500, /Something went wrong on our side/],
    [503, /Something went wrong on our side/],
  ];
  for (const [status, plain] of words) {
    test(`${status}: the status, plain words, the detail and a link back`, async () => {
      const res = await t.request({
        method: 'GET',
        url: `/status/${status}`,
        headers: { accept: BROWSER, referer: 'http://localhost/books?page=2' },
      });
      assert.equal(res.statusCode, status);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(res.body, new RegExp(`<p class="status">${status}</p>`));
      assert.match(res.body, new RegExp(`<h1>${plain.source}`));
      assert.match(res.body, new RegExp(`<p class="detail">Detail for ${status} &lt;i&gt;</p>`));
      assert.match(res.body, /<a href="\/books\?page=2">Go back<\/a>/);
    });
  }

  test('a 422 lists each field with its problem', async () => {
    const body = urlencoded({ title: '', year: 'soon' });
    const res = await t.request({
      method: 'POST',
      url: '/api/books',
      payload: body.payload,
      headers: { ...body.headers, accept: BROWSER },
    });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /<li><strong>title<\/strong>: is required<\/li>/);
    assert.match(res.body, /<li><strong>year<\/strong>: [^<]+<\/li>/);
    assert.match(res.body, /Correct the fields below/);
  });

  test('a link back never leaves the site: another origin’s Referer goes to /', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/status/404',
      headers: { accept: BROWSER, referer: 'https://evil.example/phish' },
    });
    assert.match(res.body, /<a href="\/">Go back<\/a>/);
  });

  test('a JSON client still gets problem+json', async () => {
    const res = await t.request({ method: 'GET', url: '/status/412' });
    assertProblem(res, 412, { detail: /Detail for 412/ });
    assert.equal(json(res).title, 'Precondition Failed');
  });
});
