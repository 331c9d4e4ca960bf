/**
 * The import direction of ARCHITECTURE.md, checked on every run:
 * util ← schema/query ← store ← service ← http ← cli (config and files
 * sit beside store: config reads schema and query, files only util).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const SRC = new URL('../src', import.meta.url).pathname;

/** What each layer may import, besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  schema: ['util'],
  query: ['util', 'schema'],
  config: ['util', 'schema', 'query'],
  store: ['util', 'schema', 'query'],
  files: ['util'],
  service: ['util', 'schema', 'query', 'config', 'store', 'files'],
  http: ['util', 'schema', 'query', 'config', 'store', 'files', 'service'],
  cli: ['util', 'schema', 'query', 'config', 'store', 'files', 'service', 'http'],
};

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function layerOf(file: string): string {
  return relative(SRC, file).split(sep)[0].replace(/\.ts$/, '');
}

test('every import in src/ points down the layers', () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    if (!(from in ALLOWED)) continue; // index.ts: the package's public face re-exports every layer.
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = layerOf(resolve(file, '..', match[1]));
      if (target !== from && !ALLOWED[from].includes(target)) {
        wrong.push(`${relative(SRC, file)} imports ${match[1]} (${from} → ${target})`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

/**
 * Files one adapter has because its database asks for them, with why: each
 * must say so here, so a missing counterpart is a decision, not an oversight.
 */
const ADAPTER_ONLY: Record<string, string[]> = {
  // SQLite leaves WAL checkpoints to its caller (run here off the request path); PostgreSQL checkpoints itself.
  sqlite: ['checkpoints.ts'],
  // pg runs a statement unnamed (parsed and planned each time) unless it is named; better-sqlite3 prepares every one.
  postgres: ['statements.ts'],
};

/** Adding a store means writing one folder, with the same files as the others (`sqlite-store.ts` ↔ `postgres-store.ts`). */
test('the store adapter folders keep the same file names', () => {
  const STORE = join(SRC, 'store');
  const adapters = readdirSync(STORE).filter((name) => statSync(join(STORE, name)).isDirectory());
  assert.deepEqual(adapters.sort(), ['postgres', 'sqlite']);
  const files = (adapter: string) =>
    readdirSync(join(STORE, adapter))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .filter((name) => !(ADAPTER_ONLY[adapter] ?? []).includes(name))
      .map((name) => name.replace(`${adapter}-`, '<adapter>-'))
      .sort();
  const [first, ...rest] = adapters;
  for (const adapter of rest)
    assert.deepEqual(files(adapter), files(first), `store/${adapter}/ vs store/${first}/`);
});

/** The filter compiler asks its SqlTarget's dialect hooks; it never branches on a database's name. */
test('query/ and the shared store modules name no database: its SQL lives in its adapter folder', () => {
  const STORE = join(SRC, 'store');
  const shared = [
    ...sources(join(SRC, 'query')),
    ...readdirSync(STORE)
      .filter(
        (name) =>
          name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'store.ts' && name !== 'dialect.ts',
      )
      .map((name) => join(STORE, name)),
  ];
  const wrong: string[] = [];
  for (const file of shared) {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const match of code.matchAll(
      /'(sqlite|postgres)'|\b(ILIKE|methodical_contains|typeof\(|::[a-z]+)/g,
    )) {
      wrong.push(`${relative(SRC, file)}: ${match[0]}`);
    }
  }
  assert.deepEqual(wrong, []);
});
