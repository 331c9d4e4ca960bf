/**
 * The config's seed, run by `methodical serve` before it listens: once per
 * database (a second start writes nothing), never over data that was there
 * first, with hooks and validation applied; a failing seed stops the start
 * with exit 2 and one line, and keeps nothing it wrote.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  assertUsageFailure,
  cliSandbox,
  PUBLIC_RULES,
  request,
  run,
  SLOW,
  serve,
  writeJsonConfig,
} from './helpers.js';

const tmp = cliSandbox('methodical-seed-');

const COLLECTIONS = {
  books: { fields: { title: { type: 'text', required: true } }, rules: PUBLIC_RULES },
};

const GOOD_SEED = `async seed({ tx }) {
    for (const title of ['Dune', 'Emma', 'Ulysses']) await tx.create('books', { title });
  },`;

/** A TS config with a hook that marks every created title, so the test sees hooks apply to the seed. */
function tsConfig(name: string, seed: string): string {
  const file = join(tmp.dir, name);
  writeFileSync(
    file,
    `export default {
  collections: ${JSON.stringify(COLLECTIONS)},
  hooks: { books: { beforeCreate(ctx: { record: Record<string, unknown> }) { ctx.record.title = \`\${ctx.record.title} (hooked)\`; } } },
  ${seed}
};
`,
  );
  return file;
}

async function titlesServed(config: string, data: string): Promise<string[]> {
  const server = await serve(['--port', '0', '--config', config, '--data', data], { cwd: tmp.dir });
  try {
    const res = await request(`${server.url}/api/books?sort=title`);
    assert.equal(res.status, 200, res.text);
    return (res.body!.items as { title: string }[]).map((b) => b.title);
  } finally {
    await server.stop();
  }
}

describe('seed', SLOW, () => {
  const good = tsConfig('good.config.ts', GOOD_SEED);

  test('runs on the first start (an admin made before it is no data to keep), and never again', async () => {
    const data = join(tmp.dir, 'fresh');
    const admin = await run(
      [
        'user',
        'create',
        '--email',
        'admin@example.com',
        '--password',
        'long enough secret',
        '--admin',
      ].concat(['--config', good, '--data', data]),
      { cwd: tmp.dir },
    );
    assert.equal(admin.code, 0, admin.stderr);
    const sample = ['Dune (hooked)', 'Emma (hooked)', 'Ulysses (hooked)'];
    assert.deepEqual(await titlesServed(good, data), sample);
    assert.deepEqual(await titlesServed(good, data), sample, 'a second start writes nothing more');
  });

  test('a database that already holds records is not seeded, and stays so', async () => {
    const data = join(tmp.dir, 'existing');
    const plain = writeJsonConfig(tmp.dir, { collections: COLLECTIONS }, 'plain.config.json');
    const first = await serve(['--port', '0', '--config', plain, '--data', data], { cwd: tmp.dir });
    const made = await request(`${first.url}/api/books`, { method: 'POST', body: { title: 'Mine' } });
    assert.equal(made.status, 201, made.text);
    await first.stop();
    assert.deepEqual(await titlesServed(good, data), ['Mine']);
    // Marked on that start: emptied later, the database is still not seeded.
    const again = await serve(['--port', '0', '--config', plain, '--data', data], { cwd: tmp.dir });
    const removed = await request(`${again.url}/api/books/${made.body?.id}`, { method: 'DELETE' });
    assert.equal(removed.status, 204);
    await again.stop();
    assert.deepEqual(await titlesServed(good, data), []);
  });

  test('a failing seed stops the start with exit 2 and one line, and keeps nothing it wrote', async () => {
    const data = join(tmp.dir, 'failing');
    const failing = tsConfig(
      'failing.config.ts',
      `async seed({ tx }) {
    await tx.create('books', { title: 'Partial' });
    await tx.create('books', { title: 'Bad', pages: 3 });
  },`,
    );
    const result = await run(['serve', '--port', '0', '--config', failing, '--data', data], { cwd: tmp.dir });
    const line = assertUsageFailure(result);
    assert.equal(result.stdout, '', 'it never listened');
    assert.match(line, /failing\.config\.ts: the seed failed, so nothing it wrote was kept: /);
    assert.match(line, /pages is not a field of books/);
    // Nothing was kept, so the database is still new: a good seed runs on the next start.
    assert.deepEqual(await titlesServed(good, data), ['Dune (hooked)', 'Emma (hooked)', 'Ulysses (hooked)']);
  });

  test('a seed that throws says what it threw', async () => {
    const data = join(tmp.dir, 'throwing');
    const throwing = tsConfig('throwing.config.ts', `seed() { throw new Error('no sample data today'); },`);
    const result = await run(['serve', '--port', '0', '--config', throwing, '--data', data], {
      cwd: tmp.dir,
    });
    assert.match(
      assertUsageFailure(result),
      /the seed failed, so nothing it wrote was kept: no sample data today$/,
    );
  });
});
