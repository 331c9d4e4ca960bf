// The ceiling in PostgreSQL mode: bare fastify + pg (a pool of 10 connections, as Methodical's
// default), the same four routes and the same response schemas as the SQLite ceiling, nothing else.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_CEILING_DDL = `CREATE TABLE IF NOT EXISTS ceiling_items (
  id TEXT PRIMARY KEY, created TEXT NOT NULL, updated TEXT NOT NULL, title TEXT NOT NULL,
  author TEXT, year INTEGER, genre TEXT, price DOUBLE PRECISION, instock BOOLEAN, isbn TEXT)`;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const newId = () => [...randomBytes(15)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
const SELECT = 'id, created, updated, title, author, year, genre, price, instock AS "inStock", isbn';
const values = (b) => [
  b.title ?? null,
  b.author ?? null,
  b.year ?? null,
  b.genre ?? null,
  b.price ?? null,
  b.inStock ?? null,
  b.isbn ?? null,
];

/** Adds the routes to `app` over a pool on `url`; the pool closes with the app. */
export async function addPgRoutes(app, url, schemas) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {});
  await pool.query(PG_CEILING_DDL);
  app.addHook('onClose', async () => pool.end());
  const { recordSchema } = schemas;

  app.get('/api/items/:id', { schema: { response: { 200: recordSchema } } }, async (req, reply) => {
    const { rows } = await pool.query(`SELECT ${SELECT} FROM ceiling_items WHERE id = $1`, [req.params.id]);
    if (!rows[0]) return reply.code(404).send({ status: 404 });
    return rows[0];
  });
  app.post('/api/items', { schema: { response: { 201: recordSchema } } }, async (req, reply) => {
    const now = new Date().toISOString();
    const { rows } = await pool.query(
      `INSERT INTO ceiling_items (id, created, updated, title, author, year, genre, price, instock, isbn)
       VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${SELECT}`,
      [newId(), now, ...values(req.body)],
    );
    reply.code(201).header('location', `/api/items/${rows[0].id}`);
    return rows[0];
  });
  app.put('/api/items/:id', { schema: { response: { 200: recordSchema } } }, async (req, reply) => {
    const now = new Date().toISOString();
    const { rows } = await pool.query(
      `UPDATE ceiling_items SET updated = $2, title = $3, author = $4, year = $5, genre = $6, price = $7,
       instock = $8, isbn = $9 WHERE id = $1 RETURNING ${SELECT}`,
      [req.params.id, now, ...values(req.body)],
    );
    if (!rows[0]) return reply.code(404).send({ status: 404 });
    return rows[0];
  });
  app.patch('/api/items/:id', { schema: { response: { 200: recordSchema } } }, async (req, reply) => {
    // One statement: fields absent from the body keep their value.
    const b = req.body ?? {};
    const keys = ['title', 'author', 'year', 'genre', 'price', 'inStock', 'isbn'].filter((k) => k in b);
    const sets = keys.map((k, i) => `${k === 'inStock' ? 'instock' : k} = $${i + 3}`);
    const { rows } = await pool.query(
      `UPDATE ceiling_items SET ${['updated = $2', ...sets].join(', ')} WHERE id = $1 RETURNING ${SELECT}`,
      [req.params.id, new Date().toISOString(), ...keys.map((k) => b[k])],
    );
    if (!rows[0]) return reply.code(404).send({ status: 404 });
    return rows[0];
  });
}
