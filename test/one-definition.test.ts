/**
 * What is defined once stays defined once: media types live in
 * util/media-types.ts and the plain-object check in util/is-plain-object.ts;
 * every other module imports them.
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

/** Lines of src/ matching `pattern`, outside the files allowed to hold it. */
function offenders(pattern: RegExp, allowed: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of sources(SRC)) {
    const name = relative(SRC, file);
    if (allowed(name)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line) && !line.trimStart().startsWith('*') && !line.trimStart().startsWith('//')) {
          found.push(`${name}:${i + 1}: ${line.trim()}`);
        }
      });
  }
  return found;
}

test('media types are spelled only in util/media-types.ts', () => {
  const literal = /'(application|text|multipart)\/[a-z0-9.+-]+[^']*'/;
  // The sniffer's table of magic numbers names the types it detects; an OpenAPI
  // document's content maps are keyed by media type, as the document reads.
  const allowed = (f: string) =>
    f === 'util/media-types.ts' || f === 'util/sniff.ts' || f.startsWith('http/openapi/');
  assert.deepEqual(offenders(literal, allowed), []);
});

test('the plain-object check is written only in util/is-plain-object.ts', () => {
  const check =
    /typeof [\w.]+ [!=]== 'object'.*Array\.isArray|Array\.isArray\([\w.]+\).*typeof [\w.]+ [!=]== 'object'/;
  assert.deepEqual(
    offenders(check, (f) => f === 'util/is-plain-object.ts'),
    [],
  );
});
