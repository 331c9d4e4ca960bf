// WAL pages written per insert and per update on the SQLite store, one write per commit and 32 in
// flight (group commit), over 20,000 records. Run after `npm run build`:
//
//   node bench/wal-pages.mjs
//
// Checkpoints are held off while it counts, so every page a write appends stays in the WAL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { randomId } from '../dist/util/id.js';

const fields = { title: { type: 'text' }, year: { type: 'integer' }, isbn: { type: 'text' } };
const collections = { items: { name: 'items', fields, rules: {} } };
const dir = mkdtempSync(join(tmpdir(), 'methodical-wal-'));
const store = new SqliteStore({
  path: join(dir, 'db.sqlite'),
  collections,
  checkpoints: { everyTransactions: 1e9, everyMs: 1e9 },
});
await store.migrate(await store.planMigration());
const writer = store.writer; // private, read here only to count WAL frames
const frames = () => writer.pragma('wal_checkpoint(NOOP)')[0].log;
const now = () => new Date().toISOString();
const record = (id) => ({
  id,
  title: `t ${id} ${'x'.repeat(150)}`,
  year: 2000,
  isbn: id,
  created: now(),
  updated: now(),
});

const ids = [];
for (let i = 0; i < 20_000; i += 500) {
  await store.transaction(async (tx) => {
    for (let j = 0; j < 500; j++) {
      const id = randomId();
      ids.push(id);
      await tx.insert('items', record(id));
    }
  });
}

async function count(label, n, inFlight, write) {
  writer.pragma('wal_checkpoint(TRUNCATE)');
  const start = frames();
  const commits = store.commitStats.commits;
  for (let i = 0; i < n; i += inFlight) {
    await Promise.all(Array.from({ length: inFlight }, () => store.transaction(write)));
  }
  const pages = (frames() - start) / n;
  const perCommit = n / (store.commitStats.commits - commits);
  console.log(
    `${label}, ${inFlight} in flight: ${pages.toFixed(2)} WAL pages each, ${perCommit.toFixed(1)} per commit`,
  );
}

const insert = (tx) => tx.insert('items', record(randomId()));
const update = (changedOnly) => async (tx) => {
  const current = await tx.get('items', ids[Math.floor(Math.random() * ids.length)]);
  const next = { ...current, title: `u ${Math.random()}`, updated: now() };
  await tx.update('items', next, changedOnly ? current : undefined);
};
try {
  for (const inFlight of [1, 32]) await count('insert', 2000, inFlight, insert);
  for (const inFlight of [1, 32]) await count('update, changed columns', 2000, inFlight, update(true));
  for (const inFlight of [1, 32]) await count('update, every column', 2000, inFlight, update(false));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
