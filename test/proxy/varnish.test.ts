/**
 * `methodical serve` behind Debian's Varnish with docs/varnish.vcl: a
 * collection with `cache` is stored (MISS, then HIT), a client's
 * If-None-Match is answered 304 from the cache, an expired object is
 * revalidated with a 304 from Methodical, and nothing signed-in or without
 * `cache` is ever stored.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, killServers, type Server, SLOW, serve, tempDir, writeJsonConfig } from '../cli/helpers.js';
import { type Answer, missing, type ProxyProcess, send, startVarnish, VARNISHD } from './harness.js';

const S_MAXAGE = 2;
const PUBLIC_READS = { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' };
const CONFIG = {
  trustProxy: true,
  collections: {
    news: { fields: { title: { type: 'text' } }, rules: PUBLIC_READS, cache: { sMaxAge: S_MAXAGE } },
    plain: { fields: { title: { type: 'text' } }, rules: PUBLIC_READS },
  },
};

const cacheOf = (a: Answer) => a.headers['x-cache'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('behind Varnish (docs/varnish.vcl)', { ...SLOW, skip: missing(VARNISHD, 'varnish') }, () => {
  const tmp = tempDir('methodical-varnish-');
  let server: Server;
  let varnish: ProxyProcess;

  before(async () => {
    const proxyDir = join(tmp.dir, 'varnish');
    mkdirSync(proxyDir);
    const config = writeJsonConfig(tmp.dir, CONFIG);
    server = await serve(['--port', '0', '--config', config, '--data', join(tmp.dir, 'data')], {
      cwd: tmp.dir,
    });
    varnish = await startVarnish(proxyDir, await freePort(), server.port);
  });
  after(async () => {
    await varnish?.stop();
    await server?.stop();
    killServers();
    tmp.remove();
  });

  test('a collection with cache: MISS, HIT, 304 from the cache, revalidated after expiry', async () => {
    const created = await send(`${varnish.url}/api/news`, { method: 'POST', body: { title: 'kept' } });
    assert.equal(created.status, 201, created.body);
    const url = `${varnish.url}/api/news/${JSON.parse(created.body).id}`;

    const first = await send(url);
    assert.equal(first.status, 200, first.body);
    assert.equal(first.headers['cache-control'], `public, max-age=0, s-maxage=${S_MAXAGE}`);
    assert.equal(cacheOf(first), 'MISS');
    const second = await send(url);
    assert.equal(cacheOf(second), 'HIT', varnish.log());
    assert.equal(second.body, first.body);
    assert.equal(second.headers.etag, first.headers.etag);

    const revalidating = await send(url, { headers: { 'if-none-match': String(first.headers.etag) } });
    assert.equal(revalidating.status, 304);
    assert.equal(cacheOf(revalidating), 'HIT');
    assert.equal(revalidating.body, '');

    await sleep(S_MAXAGE * 1000 + 1100);
    const refreshed = await send(url);
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body, first.body);
    assert.equal(
      refreshed.headers['x-cache-revalidated'],
      '1',
      'Methodical answered the If-None-Match with 304',
    );
    assert.equal(cacheOf(await send(url)), 'HIT');
  });

  test('requests with a Cookie or Authorization pass; no-cache answers are never stored', async () => {
    const list = `${varnish.url}/api/news`;
    await send(list);
    assert.equal(cacheOf(await send(list)), 'HIT');
    assert.equal(cacheOf(await send(list, { headers: { cookie: 'theme=dark' } })), 'MISS');
    assert.equal(cacheOf(await send(list, { headers: { authorization: 'Bearer nope' } })), 'MISS');
    const plain = `${varnish.url}/api/plain`;
    const a = await send(plain);
    assert.equal(a.headers['cache-control'], 'no-cache');
    assert.equal(cacheOf(await send(plain)), 'MISS');
  });
});
