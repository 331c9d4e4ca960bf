/**
 * The store contract against PostgresStore, when TEST_DATABASE_URL names a
 * server: each run in a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { storeContract } from './store-contract.js';

const url = process.env.TEST_DATABASE_URL;

if (!url) {
  test('postgres store contract', { skip: 'set TEST_DATABASE_URL=postgres://… to run it' }, () => {});
} else {
  const schema = `methodical_test_${randomBytes(6).toString('hex')}`;
  after(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
  // A few connections per store: the suite holds many stores open at once, and the server has 100.
  storeContract(
    'postgres',
    async (collections) => new PostgresStore({ url, collections, schema, poolSize: 4 }),
  );
}
