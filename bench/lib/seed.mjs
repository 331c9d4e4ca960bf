// Seeding large datasets fast, not over HTTP: Methodical's own store (the built dist/ modules) is
// migrated to the bench config and fed in big transactions, so the rows are exactly what the server
// writes (its schema, its codec, its indexes); the ceiling's tables are filled with plain SQL.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { seedCeilingDb } from '../ceiling.mjs';
import { PG_CEILING_DDL } from './ceiling-pg.mjs';

const BATCH = 20_000;

async function dist(root, rel) {
  return import(pathToFileURL(path.join(root, 'dist', rel)).href);
}

/** Methodical's record for a dataset record: every field, plus created/updated a millisecond apart. */
function toRecord(r, i, base) {
  const at = new Date(base + i).toISOString();
  return { ...r, created: at, updated: at };
}

/**
 * Migrates Methodical's database (SQLite file in `dataDir`, or PostgreSQL at `databaseUrl`, whose
 * search_path names the run's schema) to `configFile` and inserts `records` into `items`; resolves
 * with `seededBefore`, an ISO time after every seeded record's `created`.
 */
export async function seedMethodicalStore({ root, configFile, dataDir, databaseUrl, records, log }) {
  const { loadConfig } = await dist(root, 'config/load.js');
  const config = await loadConfig(configFile);
  let store;
  if (databaseUrl) {
    const { PostgresStore } = await dist(root, 'store/postgres/postgres-store.js');
    store = new PostgresStore({ url: databaseUrl, collections: config.collections });
  } else {
    const { SqliteStore } = await dist(root, 'store/sqlite/sqlite-store.js');
    // `normal` while seeding only: the server itself opens the file with the config's durability.
    store = new SqliteStore({
      path: path.join(dataDir, 'methodical.db'),
      collections: config.collections,
      durability: 'normal',
    });
  }
  try {
    await store.migrate(await store.planMigration());
    const base = Date.now() - records.length - 60_000;
    const t0 = Date.now();
    // PostgreSQL spends most of a row's time in round trips: several transactions at once hide them.
    const workers = databaseUrl ? 4 : 1;
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < records.length) {
        const i = next;
        next += BATCH;
        const chunk = records.slice(i, i + BATCH);
        await store.transaction(async (tx) => {
          for (let j = 0; j < chunk.length; j++) await tx.insert('items', toRecord(chunk[j], i + j, base));
        });
        done += chunk.length;
        if (records.length > BATCH * 5 && (done / BATCH) % 10 === 0)
          log?.(`seeded ${done} of ${records.length}`);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    log?.(`seeded ${records.length} records in ${((Date.now() - t0) / 1000).toFixed(1)} s (store API)`);
    // Every seeded record was created before this; every record POSTed later, after it.
    return { seededBefore: new Date(base + records.length).toISOString() };
  } finally {
    await store.close();
  }
}

/** The ceiling's PostgreSQL table in the schema `databaseUrl`'s search_path names, filled in one go. */
export async function seedCeilingPg(databaseUrl, records) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(PG_CEILING_DDL);
    const now = new Date().toISOString();
    const cols = ['id', 'created', 'updated', 'title', 'author', 'year', 'genre', 'price', 'instock', 'isbn'];
    for (let i = 0; i < records.length; i += 1000) {
      const chunk = records.slice(i, i + 1000);
      const values = [];
      const rows = chunk.map((r, k) => {
        values.push(r.id, now, now, r.title, r.author, r.year, r.genre, r.price, r.inStock, r.isbn);
        return `(${cols.map((_, c) => `$${k * cols.length + c + 1}`).join(',')})`;
      });
      await client.query(`INSERT INTO ceiling_items (${cols.join(',')}) VALUES ${rows.join(',')}`, values);
    }
  } finally {
    await client.end();
  }
}

export { seedCeilingDb };
