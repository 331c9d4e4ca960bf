/**
 * Every write leaves through one tail (ARCHITECTURE.md, one request, steps
 * 3–5): only http/write-answer.ts runs the write path and marks a replay,
 * and the write path takes its renderer once, at start-up, never per call.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const SRC = new URL('../src', import.meta.url).pathname;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The src/ files whose code (comments aside) matches `pattern`. */
function filesMatching(pattern: RegExp): string[] {
  return sources(SRC)
    .filter((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .some((line) => {
          const code = line.trimStart();
          return !code.startsWith('*') && !code.startsWith('//') && pattern.test(line);
        }),
    )
    .map((file) => relative(SRC, file))
    .sort();
}

const rows = [
  {
    what: 'the write path runs from the one tail (and the seed, which answers no request)',
    pattern: /runner\.run\(/,
    files: ['http/write-answer.ts', 'service/seed.ts'],
  },
  {
    what: 'Idempotent-Replayed is set in the one tail',
    pattern: /'Idempotent-Replayed', 'true'/,
    files: ['http/write-answer.ts'],
  },
  {
    what: 'problems are rendered for the write path by its renderer',
    pattern: /renderProblem\(problem/,
    files: ['http/plugins/problem.ts', 'http/write-answer.ts'],
  },
];

for (const row of rows) {
  test(row.what, () => {
    assert.deepEqual(filesMatching(row.pattern), row.files);
  });
}
