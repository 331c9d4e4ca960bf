/** The store contract against SqliteStore: a WAL file in a temp folder, and `:memory:`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'methodical-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));

storeContract(
  'sqlite file',
  async (collections) => new SqliteStore({ path: join(dir, 'contract.db'), collections }),
  {},
);

// One connection and a new database per store: no reopening, and reads share the writer.
storeContract('sqlite :memory:', async (collections) => new SqliteStore({ path: ':memory:', collections }), {
  persistent: false,
  isolatedReads: false,
});
