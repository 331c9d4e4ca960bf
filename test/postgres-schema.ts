/** A PostgreSQL schema of its own for a test file's run against TEST_DATABASE_URL. */
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';

/** `base` with its search_path pointed at `schema`, the way a user names a schema in `--database`. */
export function withSearchPath(base: string, schema: string): string {
  return `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface TestSchema {
  schema: string;
  /** The database URL with search_path set to the schema. */
  url: string;
  /** A connection to the database (connected by the time tests run, closed after them). */
  db: pg.Client;
}

/** A fresh schema: created before the tests of the enclosing suite, dropped after them. */
export function testSchema(base: string, prefix = 'methodical_test_'): TestSchema {
  const schema = `${prefix}${randomBytes(6).toString('hex')}`;
  const db = new pg.Client({ connectionString: base });
  before(async () => {
    await db.connect();
    await db.query(`CREATE SCHEMA "${schema}"`);
  });
  after(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  });
  return { schema, url: withSearchPath(base, schema), db };
}
