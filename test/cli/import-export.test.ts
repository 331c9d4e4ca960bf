/** `methodical import` of a json-server db.json and `methodical export`, end to end through the CLI. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertUsageFailure, PUBLIC_RULES, run, SLOW, tempDir, writeJsonConfig } from './helpers.js';

const CONFIG = {
  collections: {
    books: {
      fields: { title: { type: 'text', required: true }, year: { type: 'integer' } },
      rules: PUBLIC_RULES,
    },
    reviews: {
      fields: { book: { type: 'relation', collection: 'books' }, text: { type: 'text' } },
      rules: PUBLIC_RULES,
    },
  },
};

describe('import and export', SLOW, () => {
  const tmp = tempDir();
  let config: string;
  const data = join(tmp.dir, 'data');

  before(() => {
    config = writeJsonConfig(tmp.dir, CONFIG);
  });
  after(() => tmp.remove());

  it('imports top-level arrays into their collections, keeping json-server ids, then exports them', async () => {
    const db = join(tmp.dir, 'db.json');
    writeFileSync(
      db,
      JSON.stringify({
        books: [{ id: 1, title: 'Dune', year: 1965 }, { title: 'Emma' }],
        profile: { name: 'x' },
      }),
    );
    const imported = await run(['import', db, '--config', config, '--data', data]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.stdout, 'Imported 2 books.\n');
    assert.match(imported.stderr, /books\s+\[#+\] 2\/2/);

    const out = join(tmp.dir, 'out.json');
    const exported = await run(['export', '--out', out, '--config', config, '--data', data]);
    assert.equal(exported.code, 0, exported.stderr);
    const dump = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(Object.keys(dump).sort(), ['books', 'reviews', 'users']);
    assert.equal(dump.books.length, 2);
    assert.equal(dump.books[0].id, '1');
    assert.equal(dump.books[0].title, 'Dune');
    assert.match(dump.books[1].id, /^[a-z0-9]{15}$/);

    const toStdout = await run(['export', '--config', config, '--data', data]);
    assert.deepEqual(JSON.parse(toStdout.stdout), dump);
  });

  it('refuses an invalid record, naming it, and writes nothing', async () => {
    const db = join(tmp.dir, 'bad.json');
    writeFileSync(db, JSON.stringify({ books: [{ title: 'Fine' }, { year: 'old' }] }));
    const line = assertUsageFailure(
      await run(['import', db, '--config', config, '--data', join(tmp.dir, 'd2')]),
    );
    assert.match(line, /books\[1\]: .*title/);
    const dump = JSON.parse(
      (await run(['export', '--config', config, '--data', join(tmp.dir, 'd2')])).stdout,
    );
    assert.equal(dump.books.length, 0);
  });

  it('with --collection-per-key, an object becomes a collection too (here: not in the config)', async () => {
    const db = join(tmp.dir, 'keys.json');
    writeFileSync(db, JSON.stringify({ books: [], profile: { name: 'x' } }));
    const line = assertUsageFailure(
      await run(['import', db, '--collection-per-key', '--config', config, '--data', join(tmp.dir, 'd3')]),
    );
    assert.match(line, /no collection "profile"/);
  });

  it('a relation must name a record of the file or of the database: otherwise nothing is written', async () => {
    const d4 = join(tmp.dir, 'd4');
    const good = join(tmp.dir, 'related.json');
    // The review comes before its book in the file: relations are checked against the whole import.
    writeFileSync(
      good,
      JSON.stringify({ reviews: [{ id: 'r1', book: 'b1' }], books: [{ id: 'b1', title: 'B' }] }),
    );
    const imported = await run(['import', good, '--config', config, '--data', d4]);
    assert.equal(imported.code, 0, imported.stderr);
    const later = join(tmp.dir, 'later.json');
    writeFileSync(later, JSON.stringify({ reviews: [{ id: 'r2', book: 'b1' }] }));
    assert.equal(
      (await run(['import', later, '--config', config, '--data', d4])).code,
      0,
      'b1 is in the database',
    );

    const bad = join(tmp.dir, 'dangling.json');
    writeFileSync(
      bad,
      JSON.stringify({ books: [{ id: 'b2', title: 'C' }], reviews: [{ text: 'x' }, { book: 'nope' }] }),
    );
    const line = assertUsageFailure(await run(['import', bad, '--config', config, '--data', d4]));
    assert.match(line, /reviews\[1\]: book refers to "nope", which is not a record of books/);
    const dump = JSON.parse((await run(['export', '--config', config, '--data', d4])).stdout);
    assert.deepEqual(
      dump.books.map((b: { id: string }) => b.id),
      ['b1'],
    );
    assert.deepEqual(dump.reviews.map((r: { id: string }) => r.id).sort(), ['r1', 'r2']);
  });
});
