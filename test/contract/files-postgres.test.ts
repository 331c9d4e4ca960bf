/**
 * The FileStorage contract against PostgresFileStorage, when TEST_DATABASE_URL
 * names a database: in a schema of its own, created for this run and dropped
 * after it. Without the variable the suite is skipped, saying so.
 */
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresFileStorage } from '../../src/files/postgres/postgres-storage.js';
import { fileStorageContract } from './file-storage-contract.js';

const url = process.env.TEST_DATABASE_URL;

if (!url) {
  describe('FileStorage contract: postgres', () => {
    it('is skipped: set TEST_DATABASE_URL=postgres://… to run it against PostgreSQL', (t) => {
      t.skip('TEST_DATABASE_URL is not set');
    });
  });
} else {
  const schema = `files_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  let tables: PostgresFileStorage['tables'];

  before(async () => {
    const first = new PostgresFileStorage({ pool, schema });
    await first.open();
    tables = first.tables;
  });
  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  fileStorageContract('postgres', async () => {
    await pool.query(
      `TRUNCATE ${tables.dropped}, ${tables.files}, ${tables.staged}, ${tables.chunks}, ${tables.blobs}`,
    );
    const open: PostgresFileStorage[] = [];
    const instance = () => {
      const storage = new PostgresFileStorage({ pool, schema });
      open.push(storage);
      return storage;
    };
    return {
      storage: instance(),
      another: async () => instance(),
      // A stopped node renews nothing: its leases lapse.
      abandon: async (other) => {
        await (other as PostgresFileStorage).close();
        await pool.query(`UPDATE ${tables.staged} SET lease = now() - interval '1 second'`);
      },
      staged: async () => (await pool.query(`SELECT token FROM ${tables.staged}`)).rows.map((r) => r.token),
      age: async (token, ms) => {
        await pool.query(
          `UPDATE ${tables.staged} SET touched = now() - $2 * interval '1 millisecond' WHERE token = $1`,
          [token, ms],
        );
      },
      done: async () => {
        for (const storage of open) await storage.close();
      },
    };
  });
}
