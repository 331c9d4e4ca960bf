import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config-error.js';
import { findConfigFile, loadConfig } from './load.js';

// Imported from the configs as NodeNext code does, with `.js`, to show jiti maps it onto the .ts source.
const defineConfigPath = fileURLToPath(new URL('./define-config.js', import.meta.url));

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'methodical-load-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function loadError(file: string): Promise<ConfigError> {
  try {
    await loadConfig(file);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.doesNotMatch(err.message, /\n\s+at /, 'no stack in the message');
    return err;
  }
  assert.fail('expected loadConfig to fail');
}

describe('findConfigFile', () => {
  test('prefers .ts, then .js, .mjs and .json', () => {
    const dir = tempDir({ 'methodical.config.json': '{}', 'methodical.config.mjs': 'export default {}' });
    assert.equal(findConfigFile(dir), join(dir, 'methodical.config.mjs'));
    writeFileSync(join(dir, 'methodical.config.ts'), 'export default {}');
    assert.equal(findConfigFile(dir), join(dir, 'methodical.config.ts'));
  });

  test('no config file is a ConfigError naming the folder', () => {
    const dir = tempDir({});
    assert.throws(
      () => findConfigFile(dir),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.file, dir);
        assert.match(err.message, /no config file found; expected one of methodical\.config\.ts/);
        return true;
      },
    );
  });
});

describe('loadConfig', () => {
  test('JSON: parsed, validated, dir taken from the file', async () => {
    const dir = tempDir({ 'methodical.config.json': JSON.stringify({ collections: { books: {} } }) });
    const config = await loadConfig(join(dir, 'methodical.config.json'));
    assert.deepEqual(Object.keys(config.collections), ['users', 'books']);
    assert.equal(config.dir, dir);
    assert.equal(config.file, join(dir, 'methodical.config.json'));
  });

  test('JSON syntax error: line and column, no stack', async () => {
    const dir = tempDir({ 'methodical.config.json': '{\n  "collections": {\n    "books": {},\n  }\n}\n' });
    const err = await loadError(join(dir, 'methodical.config.json'));
    assert.equal(err.path, 'line 4, column 3');
    assert.match(err.problem, /^invalid JSON: /);
  });

  test('JSON cut short: the position is the end of the file', async () => {
    const dir = tempDir({ 'methodical.config.json': '{\n  "collections": {' });
    const err = await loadError(join(dir, 'methodical.config.json'));
    assert.equal(err.path, 'line 2, column 19');
  });

  test('JSON that validates badly keeps the file and path', async () => {
    const dir = tempDir({ 'methodical.config.json': '{"limits": {"json": -1}}' });
    const err = await loadError(join(dir, 'methodical.config.json'));
    assert.equal(err.path, 'limits.json');
  });

  test('TS with defineConfig, types and hooks', async () => {
    const dir = tempDir({
      'methodical.config.ts': `
        import { defineConfig } from ${JSON.stringify(defineConfigPath)};
        const max: number = 120;
        export default defineConfig({
          collections: { books: { fields: { title: { type: 'text', max } } } },
          hooks: { books: { beforeCreate: (ctx: unknown) => ctx } },
        });`,
    });
    const config = await loadConfig(join(dir, 'methodical.config.ts'));
    assert.equal(config.collections.books.fields.title.max, 120);
    assert.equal(typeof config.hooks.books.beforeCreate, 'function');
  });

  for (const name of ['methodical-server', 'methodical']) {
    test(`TS may import from '${name}' (this package's entry)`, async () => {
      const dir = tempDir({
        'methodical.config.ts': `
        import * as methodical from '${name}';
        export default { collections: { ok: { requireIfMatch: typeof methodical.defineConfig === 'function' } } };`,
      });
      const config = await loadConfig(join(dir, 'methodical.config.ts'));
      assert.equal(config.collections.ok.requireIfMatch, true);
    });
  }

  test('a TS/JS config without a default export is a ConfigError, not an empty config', async () => {
    const dir = tempDir({
      'named.mjs': 'export const collections = { notes: {} };',
      'nothing.ts': `import { defineConfig } from ${JSON.stringify(defineConfigPath)};\ndefineConfig({ collections: { notes: {} } });\n`,
    });
    const named = await loadError(join(dir, 'named.mjs'));
    assert.equal(named.path, '');
    assert.match(named.problem, /has no default export.*export default defineConfig/);
    assert.match(named.problem, /it exports "collections"/);
    const nothing = await loadError(join(dir, 'nothing.ts'));
    assert.match(nothing.problem, /has no default export/);
    assert.doesNotMatch(nothing.problem, /it exports/);
  });

  test('CommonJS-style JS via module.exports', async () => {
    const dir = tempDir({ 'methodical.config.js': 'module.exports = { trustProxy: true };' });
    const config = await loadConfig(join(dir, 'methodical.config.js'));
    assert.equal(config.trustProxy, true);
  });

  test('a config that throws, or does not compile, is a one-line ConfigError', async () => {
    const dir = tempDir({
      'throws.mjs': "throw new Error('boom in config');",
      'broken.ts': 'export default { collections: {\nconst = ;',
    });
    const thrown = await loadError(join(dir, 'throws.mjs'));
    assert.equal(thrown.problem, 'could not load the config: boom in config');
    const broken = await loadError(join(dir, 'broken.ts'));
    assert.match(broken.problem, /^could not load the config: /);
    assert.doesNotMatch(broken.problem, /\n/);
  });

  test('a missing file', async () => {
    const err = await loadError(join(tempDir({}), 'methodical.config.ts'));
    assert.equal(err.problem, 'file not found');
  });
});
