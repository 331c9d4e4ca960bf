/**
 * Idempotency keys expire after their TTL (24 h by default,
 * `idempotency.ttl`), measured on the app's clock; the TTL is published in
 * the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { DUNE, movableClock, stored } from './helpers.js';

const HOUR = 3_600_000;

function post(t: TestApp, key: string, payload: object) {
  return t.request({ method: 'POST', url: '/api/books', headers: { 'idempotency-key': key }, payload });
}

describe('expiry', () => {
  const cases: { name: string; config: object; ttl: number }[] = [
    { name: 'default 24 h', config: {}, ttl: 24 * HOUR },
    { name: 'configured 60 s', config: { idempotency: { ttl: 60 } }, ttl: 60_000 },
  ];
  for (const c of cases) {
    test(`${c.name}: replayed until the TTL, then the key runs again`, async () => {
      const clock = movableClock();
      const t = await testApp({ ...BOOKS_CONFIG, ...c.config }, { now: clock.now });
      try {
        const first = await post(t, 'ttl', DUNE);
        assert.equal(first.statusCode, 201);
        clock.advance(c.ttl - 1000);
        const replay = await post(t, 'ttl', DUNE);
        assert.equal(replay.headers['idempotent-replayed'], 'true');
        assert.equal(replay.body, first.body);
        clock.advance(2000);
        const fresh = await post(t, 'ttl', DUNE);
        assert.equal(fresh.statusCode, 201);
        assert.equal(fresh.headers['idempotent-replayed'], undefined);
        assert.notEqual(json(fresh).id, json(first).id);
        assert.equal((await stored(t, 'books')).length, 2);
        const again = await post(t, 'ttl', DUNE);
        assert.equal(again.headers['idempotent-replayed'], 'true');
        assert.equal(again.body, fresh.body, 'the new outcome is the one kept now');
      } finally {
        await t.close();
      }
    });
  }

  test('the TTL is published in the OpenAPI document', async () => {
    const t = await testApp({ ...BOOKS_CONFIG, idempotency: { ttl: 90 } });
    try {
      const doc = json(await t.request({ method: 'GET', url: '/api/openapi.json' }));
      assert.equal(doc['x-idempotency-ttl-seconds'], 90);
    } finally {
      await t.close();
    }
  });
});
