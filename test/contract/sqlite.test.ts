/** The store contract against SqliteStore: a WAL file in a temp folder, and `:memory:`. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseFilter } from '../../src/query/parser.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ListQuery } from '../../src/store/store.js';
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

test('sqlite file: the page caches are bounded (the writer 8 MiB, the reader 2 MiB)', async () => {
  const store = new SqliteStore({ path: join(dir, 'cache.db'), collections: {} });
  try {
    // Private connections, read here only for their pragmas.
    const { writer, reader } = store as unknown as Record<
      'writer' | 'reader',
      { pragma: (s: string, o: object) => unknown }
    >;
    assert.equal(writer.pragma('cache_size', { simple: true }), -8192);
    assert.equal(reader.pragma('cache_size', { simple: true }), -2048);
  } finally {
    await store.close();
  }
});

test('sqlite file: a total kept by one process follows another process’s commits to the same file', async () => {
  const c = 'shared_books';
  const collections = {
    [c]: {
      name: c,
      fields: { title: { type: 'text' } },
      rules: { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' },
      requireIfMatch: false,
      requireIdempotencyKey: false,
      auth: false,
    },
  } as const;
  const path = join(dir, 'shared.db');
  const server = new SqliteStore({ path, collections });
  await server.migrate(await server.planMigration());
  // A second store on the file stands for another process (the CLI while the server runs).
  const other = new SqliteStore({ path, collections });
  const q = (src: string | null): ListQuery => ({
    filter: src === null ? null : parseFilter(src),
    sort: [],
    limit: 1,
    offset: 0,
    count: true,
  });
  const rec = (id: string, title: string) => ({ id, title, created: at, updated: at });
  const at = new Date(Date.UTC(2024, 0, 1)).toISOString();
  await server.transaction((tx) => tx.insert(c, rec('a', 'Dune')));
  assert.equal((await server.list(c, q(null))).total, 1);
  assert.equal((await server.list(c, q('title ~ "dune"'))).total, 1);
  await other.transaction(async (tx) => {
    await tx.insert(c, rec('b', 'Dune Messiah'));
    await tx.insert(c, rec('c', 'Emma'));
  });
  assert.equal((await server.list(c, q(null))).total, 3);
  assert.equal((await server.list(c, q('title ~ "dune"'))).total, 2);
  await server.transaction((tx) => tx.delete(c, 'a'));
  assert.equal((await server.list(c, q('title ~ "dune"'))).total, 1);
  assert.equal((await other.list(c, q('title ~ "dune"'))).total, 1);
  await other.close();
  await server.close();
});
