#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node:test through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
// Arguments narrow the run to files whose path contains any of them.
// With TEST_DATABASE_URL, the HTTP scenario suites (test/http/) run a second
// time with every test app on PostgreSQL (TEST_STORE=postgres), but for the
// suites whose subject is SQLite itself.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

// The admin page's bundle, which the browser tests load from admin/dist (esbuild: well under a second).
if (spawnSync(process.execPath, [join(root, 'admin', 'build.mjs')], { stdio: 'inherit' }).status !== 0) {
  console.error('the admin page did not build');
  process.exit(1);
}

const files = [...walk(join(root, 'src'), []), ...walk(join(root, 'test'), [])]
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
/** Suites about SQLite's own file, fsyncs and locking; PostgreSQL's counterparts are in postgres-nodes.test.ts. */
const SQLITE_ONLY = [
  'test/http/disk-full.test.ts',
  'test/http/durability.test.ts',
  'test/http/shared-state.test.ts',
];

function run(list, env) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...list],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...env } },
  );
  return result.status ?? 1;
}

const status = run(files, {});
const onPostgres = process.env.TEST_DATABASE_URL
  ? files.filter((f) => f.startsWith('test/http/') && !SQLITE_ONLY.includes(f))
  : [];
if (status !== 0 || onPostgres.length === 0) {
  if (!process.env.TEST_DATABASE_URL)
    console.log('# TEST_DATABASE_URL is not set: the PostgreSQL runs are skipped');
  process.exit(status);
}
console.log(`# the HTTP scenario suites again, on PostgreSQL (${onPostgres.length} files)`);
// Every test app's schema is named after this run, so whatever a test left behind is dropped here.
const prefix = `methodical_run_${randomBytes(4).toString('hex')}_`;
const pgStatus = run(onPostgres, { TEST_STORE: 'postgres', TEST_SCHEMA_PREFIX: prefix });
await dropSchemas(prefix);
process.exit(pgStatus);

async function dropSchemas(schemaPrefix) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT schema_name FROM information_schema.schemata WHERE starts_with(schema_name, $1)',
      [schemaPrefix],
    );
    for (const { schema_name: name } of rows) await client.query(`DROP SCHEMA "${name}" CASCADE`);
    if (rows.length > 0) console.log(`# dropped ${rows.length} schema(s) test apps left behind`);
  } finally {
    await client.end();
  }
}
