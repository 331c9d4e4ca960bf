/**
 * `methodical serve` behind Debian's nginx, configured by docs/nginx.conf
 * exactly as the docs give it: cookie login and cookie-authenticated writes
 * with `trustProxy` and no `publicUrl`; a collection with `cache` stored by
 * nginx's proxy_cache (MISS, then HIT), a client's If-None-Match answered
 * 304, and after expiry a revalidation upstream (304 from Methodical for an
 * unchanged record, the new body for one that was written).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, killServers, type Server, SLOW, serve, tempDir, writeJsonConfig } from '../cli/helpers.js';
import {
  type Answer,
  missing,
  NGINX,
  type ProxyProcess,
  registerAndLogIn,
  send,
  sessionCookie,
  startNginx,
} from './harness.js';

const S_MAXAGE = 2;
const PUBLIC_READS = { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' };
const CONFIG = {
  trustProxy: true,
  collections: {
    news: {
      fields: { title: { type: 'text' }, photo: { type: 'file' } },
      rules: PUBLIC_READS,
      cache: { maxAge: 0, sMaxAge: S_MAXAGE },
    },
    notes: {
      fields: { title: { type: 'text' } },
      rules: { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' },
    },
    plain: { fields: { title: { type: 'text' } }, rules: PUBLIC_READS },
  },
};

const cacheStatus = (a: Answer) => a.headers['x-cache-status'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('behind nginx (docs/nginx.conf)', { ...SLOW, skip: missing(NGINX, 'nginx') }, () => {
  const tmp = tempDir('methodical-nginx-');
  let server: Server;
  let nginx: ProxyProcess;
  let origin = '';
  let cookie = '';
  let token = '';

  before(async () => {
    const data = join(tmp.dir, 'data');
    const proxyDir = join(tmp.dir, 'nginx');
    mkdirSync(proxyDir);
    const config = writeJsonConfig(tmp.dir, CONFIG);
    server = await serve(['--port', '0', '--config', config, '--data', data], { cwd: tmp.dir });
    nginx = await startNginx(proxyDir, await freePort(), `127.0.0.1:${server.port}`);
    origin = nginx.url; // What a browser on the proxied site sends as Origin.
  });
  after(async () => {
    await nginx?.stop();
    await server?.stop();
    killServers();
    tmp.remove();
  });

  test('register and log in through nginx: the session cookie comes back', async () => {
    const credentials = { email: 'proxy@example.com', password: 'correct horse battery' };
    const login = await registerAndLogIn(nginx.url, origin, credentials);
    cookie = sessionCookie(login);
    token = JSON.parse(login.body).token;
    assert.doesNotMatch(String(login.headers['set-cookie']), /secure/i, 'plain http: not Secure');
  });

  test('cookie-authenticated writes from the proxied origin pass (trustProxy, no publicUrl)', async () => {
    const headers = { origin, cookie };
    const created = await send(`${nginx.url}/api/notes`, {
      method: 'POST',
      headers,
      body: { title: 'first' },
    });
    assert.equal(created.status, 201, created.body);
    const id = JSON.parse(created.body).id as string;
    const patched = await send(`${nginx.url}/api/notes/${id}`, {
      method: 'PATCH',
      headers: { ...headers, 'if-match': String(created.headers.etag) },
      body: { title: 'second' },
    });
    assert.equal(patched.status, 200, patched.body);
    const read = await send(`${nginx.url}/api/notes/${id}`, { headers: { cookie } });
    assert.equal(read.status, 200);
    assert.equal(JSON.parse(read.body).title, 'second');
    assert.equal(read.headers['cache-control'], 'private, no-cache');
    assert.equal(cacheStatus(read), 'BYPASS', 'signed-in reads skip the cache');
    const removed = await send(`${nginx.url}/api/notes/${id}`, { method: 'DELETE', headers });
    assert.equal(removed.status, 204, removed.body);
    const gone = await send(`${nginx.url}/api/notes/${id}`, { headers: { cookie } });
    assert.equal(gone.status, 404);
  });

  test('a cookie-authenticated write from another origin: 403 naming both origins', async () => {
    const res = await send(`${nginx.url}/api/notes`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', cookie },
      body: { title: 'forged' },
    });
    assert.equal(res.status, 403, res.body);
    const detail = String(JSON.parse(res.body).detail);
    assert.match(detail, /Origin http:\/\/evil\.example/);
    assert.ok(detail.includes(`own origin is ${origin}`), detail);
    const list = await send(`${nginx.url}/api/notes`, { headers: { cookie } });
    assert.equal(JSON.parse(list.body).items.length, 0, 'nothing was written');
  });

  test('a collection with cache: MISS, then HIT; If-None-Match → 304; expiry revalidates upstream', async () => {
    const bearer = { authorization: `Bearer ${token}` };
    const make = async (title: string) => {
      const res = await send(`${nginx.url}/api/news`, { method: 'POST', headers: bearer, body: { title } });
      assert.equal(res.status, 201, res.body);
      return JSON.parse(res.body).id as string;
    };
    const kept = await make('kept');
    const changed = await make('changed');
    const url = (id: string) => `${nginx.url}/api/news/${id}`;

    const first = await send(url(kept));
    assert.equal(first.status, 200, first.body);
    assert.equal(first.headers['cache-control'], `public, max-age=0, s-maxage=${S_MAXAGE}`);
    assert.equal(first.headers['set-cookie'], undefined);
    assert.equal(cacheStatus(first), 'MISS');
    const second = await send(url(kept));
    assert.equal(cacheStatus(second), 'HIT', nginx.log());
    assert.equal(second.body, first.body);
    assert.equal(second.headers.etag, first.headers.etag);

    // A browser revalidating its copy (what fetch does): nginx answers from its entry.
    const revalidating = await send(url(kept), {
      headers: { 'if-none-match': String(first.headers.etag), 'cache-control': 'no-cache' },
    });
    assert.equal(revalidating.status, 304, revalidating.body);
    assert.equal(revalidating.body, '');
    assert.equal(revalidating.headers.etag, first.headers.etag);
    const notMatching = await send(url(kept), { headers: { 'if-none-match': '"other"' } });
    assert.equal(notMatching.status, 200);
    assert.equal(notMatching.body, first.body);

    const before = await send(url(changed));
    assert.equal(cacheStatus(before), 'MISS');
    const patched = await send(url(changed), {
      method: 'PATCH',
      headers: bearer,
      body: { title: 'changed again' },
    });
    assert.equal(patched.status, 200, patched.body);
    // Until the entry expires, nginx serves what it has; after that it asks Methodical with the ETag.
    await sleep(S_MAXAGE * 1000 + 1100);
    const revalidated = await send(url(kept));
    assert.equal(revalidated.status, 200);
    assert.equal(cacheStatus(revalidated), 'REVALIDATED', 'Methodical answered the If-None-Match with 304');
    assert.equal(revalidated.body, first.body);
    const refreshed = await send(url(changed));
    assert.equal(cacheStatus(refreshed), 'EXPIRED', 'the ETag no longer matched: a full answer');
    assert.equal(JSON.parse(refreshed.body).title, 'changed again');
    assert.equal(refreshed.headers.etag, patched.headers.etag);
    assert.equal(cacheStatus(await send(url(changed))), 'HIT');
  });

  test('lists of a collection with cache are kept too; signed-in lists are not', async () => {
    const first = await send(`${nginx.url}/api/news?perPage=1`);
    assert.equal(first.status, 200);
    assert.match(String(first.headers['cache-control']), /^public, /);
    const second = await send(`${nginx.url}/api/news?perPage=1`);
    assert.equal(cacheStatus(second), 'HIT');
    const signedIn = await send(`${nginx.url}/api/news?perPage=1`, { headers: { cookie } });
    assert.equal(cacheStatus(signedIn), 'BYPASS');
    assert.equal(signedIn.headers['cache-control'], 'private, no-cache');
  });

  test("a collection's file downloads are kept like its records", async () => {
    const form = new FormData();
    form.set('title', 'with a photo');
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('pixels'),
    ]);
    form.set('photo', new Blob([png], { type: 'image/png' }), 'photo.png');
    const created = await fetch(`${nginx.url}/api/news`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      body: form,
    });
    const record = (await created.json()) as { id: string; photo: string };
    assert.equal(created.status, 201, JSON.stringify(record));
    const url = `${nginx.url}/api/files/news/${record.id}/photo/${encodeURIComponent(record.photo)}`;
    const first = await send(url);
    assert.equal(first.status, 200, first.body);
    assert.equal(first.headers['cache-control'], `public, max-age=0, s-maxage=${S_MAXAGE}`);
    assert.equal(cacheStatus(first), 'MISS');
    const second = await send(url);
    assert.equal(cacheStatus(second), 'HIT');
    assert.equal(second.headers.etag, first.headers.etag);
    const revalidating = await send(url, { headers: { 'if-none-match': String(first.headers.etag) } });
    assert.equal(revalidating.status, 304);
  });

  test('a collection without cache is never stored: no-cache, and each read goes upstream', async () => {
    const a = await send(`${nginx.url}/api/plain`);
    const b = await send(`${nginx.url}/api/plain`);
    assert.equal(a.headers['cache-control'], 'no-cache');
    assert.equal(cacheStatus(a), 'MISS');
    assert.equal(cacheStatus(b), 'MISS');
    // With proxy_cache on, nginx drops the client's If-None-Match on its way upstream and answers
    // 304 only from an entry it holds: a collection without cache gets the whole body again.
    const c = await send(`${nginx.url}/api/plain`, { headers: { 'if-none-match': String(a.headers.etag) } });
    assert.equal(c.status, 200);
    assert.equal(c.body, a.body);
  });
});

// docs/behind-a-proxy.md: for sites whose collections mostly have no cache, conditional requests skip the cache.
const CONDITIONAL_BYPASS_MAP = 'map $http_if_none_match $methodical_cache { "" methodical; default off; }\n';
const CONDITIONAL_BYPASS: [string, string] = ['proxy_cache methodical;', 'proxy_cache $methodical_cache;'];

describe('behind nginx, conditional requests past the cache', {
  ...SLOW,
  skip: missing(NGINX, 'nginx'),
}, () => {
  const tmp = tempDir('methodical-nginx-');
  let server: Server;
  let nginx: ProxyProcess;

  before(async () => {
    const proxyDir = join(tmp.dir, 'nginx');
    mkdirSync(proxyDir);
    const config = writeJsonConfig(tmp.dir, {
      collections: { news: CONFIG.collections.news, plain: CONFIG.collections.plain },
    });
    server = await serve(['--port', '0', '--config', config, '--data', join(tmp.dir, 'data')], {
      cwd: tmp.dir,
    });
    nginx = await startNginx(proxyDir, await freePort(), `127.0.0.1:${server.port}`, (site) => {
      assert.equal(site.split(CONDITIONAL_BYPASS[0]).length, 2);
      return CONDITIONAL_BYPASS_MAP + site.replace(...CONDITIONAL_BYPASS);
    });
  });
  after(async () => {
    await nginx?.stop();
    await server?.stop();
    killServers();
    tmp.remove();
  });

  test('a client revalidating a collection without cache gets 304 from Methodical', async () => {
    const a = await send(`${nginx.url}/api/plain`);
    assert.equal(a.status, 200);
    const b = await send(`${nginx.url}/api/plain`, { headers: { 'if-none-match': String(a.headers.etag) } });
    assert.equal(b.status, 304);
    assert.equal(b.headers.etag, a.headers.etag);
  });

  test('unconditional reads of a collection with cache are still served from the cache', async () => {
    const a = await send(`${nginx.url}/api/news`);
    assert.equal(cacheStatus(a), 'MISS');
    assert.equal(cacheStatus(await send(`${nginx.url}/api/news`)), 'HIT');
    const b = await send(`${nginx.url}/api/news`, { headers: { 'if-none-match': String(a.headers.etag) } });
    assert.equal(b.status, 304);
  });
});
