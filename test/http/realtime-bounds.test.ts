/**
 * Realtime streams under pressure: a client that stops reading is cut
 * once realtime.queue bytes wait for it (not buffered without bound), and
 * stopping the server ends every stream cleanly rather than waiting on it.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { PUBLIC_RULES, testApp } from '../harness.js';
import { SseClient } from './sse-client.js';

const CONFIG: UserConfig = {
  collections: {
    books: { fields: { title: { type: 'text' }, body: { type: 'text' } }, rules: PUBLIC_RULES },
  },
  realtime: { queue: 64 * 1024, connectionsPerClient: 1 },
};

async function listening(config: UserConfig) {
  const t = await testApp(config);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  assert.ok(address && typeof address === 'object');
  return { t, port: address.port, base: `http://127.0.0.1:${address.port}` };
}

/** A raw stream request whose socket reads nothing until told to. */
function stalledClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'GET /api/realtime?topics=books HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n',
      );
      // Read the head and the first comment, then stop reading.
      socket.once('data', () => {
        socket.pause();
        resolve(socket);
      });
    });
    socket.on('error', reject);
  });
}

test('a client that stops reading is disconnected once realtime.queue bytes wait for it', async () => {
  const { t, port, base } = await listening(CONFIG);
  try {
    const slow = await stalledClient(port);
    const closed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    slow.on('error', () => {});
    // Each create is an event of some 200 KB; the socket buffers take a few MB before the queue grows.
    const body = 'x'.repeat(200_000);
    let cut = false;
    for (let i = 0; i < 200 && !cut; i++) {
      const res = await t.request({ method: 'POST', url: '/api/books', payload: { title: `${i}`, body } });
      assert.equal(res.statusCode, 201);
      // The one stream this address may hold is free again once the slow one is dropped.
      const probe = await t.request({ method: 'HEAD', url: '/api/realtime?topics=books' });
      assert.equal(probe.statusCode, 200);
      if (i % 10 === 9) {
        const again = await SseClient.open(`${base}/api/realtime?topics=books`);
        cut = again.ok;
        if (!cut) await again.response.text();
        again.close();
      }
    }
    assert.ok(cut, 'the slow client was dropped and its place freed');
    // Read what was sent: the stream ends there (the connection is gone), it does not go on.
    slow.resume();
    await closed;
  } finally {
    await t.close();
  }
});

test('the server stopping ends every open stream', async () => {
  const { t, base } = await listening({ ...CONFIG, realtime: {} });
  const client = await SseClient.open(`${base}/api/realtime?topics=books`);
  assert.equal(client.response.status, 200);
  await client.until(() => client.comments > 0);
  const started = Date.now();
  await t.close();
  await client.end(3000);
  assert.ok(Date.now() - started < 3000, 'close did not wait for the stream');
});
