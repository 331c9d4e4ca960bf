/**
 * Realtime fan-out, a first figure: N streams (default 1000) on one node,
 * W creates (default 200) from 8 concurrent writers; how long until every
 * stream has every event. Streams are read in this same process (the SSE
 * client of the tests), so the figure is a lower bound for the server.
 * Run: node --import tsx bench/realtime-fanout.ts [streams] [writes]
 * (TEST_STORE=postgres TEST_DATABASE_URL=… for PostgreSQL).
 */
import { PUBLIC_RULES, testApp } from '../test/harness.js';
import { SseClient } from '../test/http/sse-client.js';

const SUBS = Number(process.argv[2] ?? 1000);
const WRITES = Number(process.argv[3] ?? 200);
const t = await testApp({
  collections: {
    books: { fields: { title: { type: 'text' }, year: { type: 'integer' } }, rules: PUBLIC_RULES },
  },
  durability: 'normal',
  realtime: { connectionsPerClient: SUBS + 10 },
});
await t.app.listen({ host: '127.0.0.1', port: 0 });
const port = (t.app.server.address() as { port: number }).port;
const clients: SseClient[] = [];
for (let i = 0; i < SUBS; i++)
  clients.push(await SseClient.open(`http://127.0.0.1:${port}/api/realtime?topics=books`));
await Promise.all(clients.map((c) => c.until(() => c.comments > 0, 30000)));
const s = performance.now();
const C = 8;
let n = 0;
await Promise.all(
  Array.from({ length: C }, async () => {
    while (n < WRITES) {
      n++;
      await t.app.inject({ method: 'POST', url: '/api/books', payload: { title: 'Dune', year: 1965 } });
    }
  }),
);
const wrote = performance.now() - s;
await Promise.all(clients.map((c) => c.until(() => c.events.length >= WRITES, 120000)));
const all = performance.now() - s;
console.log(
  `${process.env.TEST_STORE ?? 'sqlite'}: ${SUBS} subscribers, ${WRITES} creates: writes took ${wrote.toFixed(0)} ms; all ${SUBS * WRITES} events delivered in ${all.toFixed(0)} ms = ${((SUBS * WRITES) / (all / 1000)).toFixed(0)} events/s`,
);
for (const c of clients) c.close();
await t.close();
process.exit(0);
