/**
 * A config that cannot be served is refused before the server listens: a
 * TS/JS config without a default export is exit 2 with a clear message, and
 * a config with several problems lists them all in one run, each as
 * "file: path: what is wrong", never with a stack trace.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertUsageFailure, cliSandbox, lines, run, SLOW, writeJsonConfig } from './helpers.js';

const tmp = cliSandbox();

const serveWith = (config: string) =>
  run(['serve', '--port', '0', '--config', config, '--data', join(tmp.dir, 'data')], { cwd: tmp.dir });

describe('serve with a config that cannot be served', SLOW, () => {
  test('a TS config without a default export: exit 2, the file and the fix named', async () => {
    const config = join(tmp.dir, 'methodical.config.ts');
    writeFileSync(config, 'const config = { collections: { books: {} } };\nexport { config };\n');
    const result = await serveWith(config);
    const line = assertUsageFailure(result);
    assert.equal(result.stdout, '', 'nothing listens');
    assert.ok(line.startsWith(`methodical: ${config}: `), line);
    assert.match(line, /has no default export/);
    assert.match(line, /export default defineConfig/);
    assert.match(line, /it exports "config"/);
  });

  test('several problems: all listed at once, one line each', async () => {
    const config = writeJsonConfig(
      tmp.dir,
      {
        collections: {
          books: { fields: { year: { type: 'integer', min: 'zero' }, genre: { type: 'select' } } },
        },
        routes: { 'FETCH /x': 'GET /api/books' },
        colour: 'blue',
      },
      'several.json',
    );
    const result = await serveWith(config);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '', 'nothing listens');
    assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
    const errLines = lines(result.stderr);
    assert.equal(errLines.length, 4, result.stderr);
    assert.equal(
      errLines[0],
      `methodical: ${config}: colour: unknown key "colour"; allowed keys are ${errLines[0].split('allowed keys are ')[1]}`,
    );
    assert.ok(
      errLines[1].startsWith(`${config}: collections.books.fields.year.min: expected a number`),
      errLines[1],
    );
    assert.ok(
      errLines[2].startsWith(`${config}: collections.books.fields.genre.values: missing`),
      errLines[2],
    );
    assert.ok(errLines[3].startsWith(`${config}: routes["FETCH /x"]: `), errLines[3]);
  });
});
