// The ceiling: the fastest this stack (fastify + better-sqlite3, or fastify + pg) serves the
// benchmark's routes, with no validation, no rules, no preconditions. Methodical is measured
// against it, with the same durability as Methodical's default (WAL, synchronous = FULL).
//
//   node bench/ceiling.mjs --db FILE [--host 127.0.0.1] [--port 0]
//   node bench/ceiling.mjs --database postgres://… [--host 127.0.0.1] [--port 0]
//
// prints `Ceiling listening on http://HOST:PORT` when ready; stops on SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { addPgRoutes } from './lib/ceiling-pg.mjs';

const COLUMNS = ['title', 'author', 'year', 'genre', 'price', 'inStock', 'isbn'];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

const recordSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    created: { type: 'string' },
    updated: { type: 'string' },
    title: { type: 'string' },
    author: { type: ['string', 'null'] },
    year: { type: ['integer', 'null'] },
    genre: { type: ['string', 'null'] },
    price: { type: ['number', 'null'] },
    inStock: { type: ['boolean', 'null'] },
    isbn: { type: ['string', 'null'] },
  },
};
const listSchema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: recordSchema },
    page: { type: 'integer' },
    perPage: { type: 'integer' },
    totalItems: { type: 'integer' },
    totalPages: { type: 'integer' },
  },
};

/** Opens (creating if needed) the ceiling's database: one table, WAL, an index for the list filter. */
export function openCeilingDb(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // Methodical's default durability is `full`: every commit synced before it is answered.
  db.pragma(`synchronous = ${process.env.BENCH_CEILING_SYNCHRONOUS || 'FULL'}`);
  db.exec(`CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, created TEXT NOT NULL, updated TEXT NOT NULL,
    title TEXT NOT NULL, author TEXT, year INTEGER, genre TEXT, price REAL, inStock INTEGER, isbn TEXT)`);
  db.exec('CREATE INDEX IF NOT EXISTS items_genre_year ON items (genre, year)');
  return db;
}

const toRow = (id, body, created, updated) => ({
  id,
  created,
  updated,
  title: body.title ?? null,
  author: body.author ?? null,
  year: body.year ?? null,
  genre: body.genre ?? null,
  price: body.price ?? null,
  inStock: body.inStock == null ? null : body.inStock ? 1 : 0,
  isbn: body.isbn ?? null,
});

const fromRow = (row) => {
  if (row.inStock !== null) row.inStock = row.inStock === 1;
  return row;
};

/** Inserts records (with their ids) in one transaction: how the benchmark seeds the ceiling. */
export function seedCeilingDb(file, records) {
  const db = openCeilingDb(file);
  const now = new Date().toISOString();
  const insert = db.prepare(
    `INSERT INTO items (id, created, updated, ${COLUMNS.join(', ')})
     VALUES (@id, @created, @updated, ${COLUMNS.map((c) => `@${c}`).join(', ')})`,
  );
  db.transaction((rows) => {
    for (const r of rows) insert.run(toRow(r.id, r, now, now));
  })(records);
  db.close();
}

function newId() {
  const bytes = randomBytes(15);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return id;
}

/** Builds the ceiling's Fastify app over the database file. */
export function createCeilingApp(file) {
  const db = openCeilingDb(file);
  const byId = db.prepare('SELECT * FROM items WHERE id = ?');
  const page = db.prepare('SELECT * FROM items WHERE year >= ? AND genre = ? LIMIT ? OFFSET ?');
  const count = db.prepare('SELECT count(*) FROM items WHERE year >= ? AND genre = ?').pluck();
  const values = COLUMNS.map((c) => `@${c}`).join(', ');
  const insert = db.prepare(
    `INSERT INTO items (id, created, updated, ${COLUMNS.join(', ')}) VALUES (@id, @created, @updated, ${values})`,
  );
  const patchStatements = new Map();
  const patchOf = (keys) => {
    const key = keys.join(',');
    if (!patchStatements.has(key)) {
      const sets = ['updated = @updated', ...keys.map((c) => `${c} = @${c}`)].join(', ');
      patchStatements.set(key, db.prepare(`UPDATE items SET ${sets} WHERE id = @id RETURNING *`));
    }
    return patchStatements.get(key);
  };
  const update = db.prepare(
    `UPDATE items SET updated = @updated, ${COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id RETURNING *`,
  );

  const app = Fastify({ logger: false });
  app.addHook('onClose', async () => db.close());

  app.get('/api/items/:id', { schema: { response: { 200: recordSchema } } }, (req, reply) => {
    const row = byId.get(req.params.id);
    if (!row) return reply.code(404).send({ status: 404 });
    return fromRow(row);
  });

  app.get('/api/items', { schema: { response: { 200: listSchema } } }, (req) => {
    const q = req.query;
    const year = Number(q.year_gte ?? 0);
    const genre = q.genre ?? 'science';
    const perPage = Number(q.perPage ?? 20);
    const pageNo = Number(q.page ?? 1);
    const items = page.all(year, genre, perPage, (pageNo - 1) * perPage).map(fromRow);
    const totalItems = count.get(year, genre);
    return { items, page: pageNo, perPage, totalItems, totalPages: Math.ceil(totalItems / perPage) };
  });

  app.post('/api/items', { schema: { response: { 201: recordSchema } } }, (req, reply) => {
    const now = new Date().toISOString();
    const row = toRow(newId(), req.body, now, now);
    insert.run(row);
    reply.code(201).header('location', `/api/items/${row.id}`);
    return fromRow(row);
  });

  app.put(
    '/api/items/:id',
    { schema: { response: { 200: recordSchema, 201: recordSchema } } },
    (req, reply) => {
      const now = new Date().toISOString();
      const row = toRow(req.params.id, req.body, now, now);
      const updated = update.get(row);
      if (updated) return fromRow(updated);
      insert.run(row);
      reply.code(201);
      return fromRow(row);
    },
  );

  app.patch('/api/items/:id', { schema: { response: { 200: recordSchema } } }, (req, reply) => {
    const body = req.body ?? {};
    const keys = COLUMNS.filter((c) => c in body);
    const row = toRow(req.params.id, body, null, new Date().toISOString());
    const updated = patchOf(keys).get(row);
    if (!updated) return reply.code(404).send({ status: 404 });
    return fromRow(updated);
  });
  return app;
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const file = arg('db');
  const database = arg('database');
  if (!file && !database) {
    process.stderr.write(
      'usage: node bench/ceiling.mjs (--db FILE | --database URL) [--host H] [--port P]\n',
    );
    process.exit(2);
  }
  let app;
  if (database) {
    app = Fastify({ logger: false });
    await addPgRoutes(app, database, { recordSchema });
  } else {
    app = createCeilingApp(file);
  }
  const host = arg('host', '127.0.0.1');
  await app.listen({ host, port: Number(arg('port', '0')) });
  const { port } = app.server.address();
  process.stdout.write(`Ceiling listening on http://${host}:${port}\n`);
  const stop = () => {
    app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}
