/**
 * docs/config.md cannot drift from the validator: every key the validator
 * accepts, asked of the validator itself (an unknown key makes it list the
 * allowed ones), must be named in the reference, as must every field type,
 * rule kind and hook.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { validateConfig } from '../../src/config/validate.js';
import { FIELD_TYPES } from '../../src/schema/types.js';

const DOC = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
const UNKNOWN = 'zzUnknownKey';

/** The message the validator gives for `input` (a TS file, so code-only keys are allowed). */
function refusal(input: unknown): string {
  try {
    validateConfig(input, 'probe.config.ts', tmpdir());
  } catch (err) {
    return (err as Error).message;
  }
  return assert.fail(`the validator accepted ${JSON.stringify(input)}`);
}

/** "a, b or c" → [a, b, c], from the first list after `after` in a message. */
function listAfter(message: string, after: RegExp): string[] {
  const match = new RegExp(`${after.source}(.+?)(?:;|, found |\\n|$)`).exec(message);
  assert.ok(match, `no list in: ${message}`);
  return match[1]
    .trim()
    .replace(/\.$/, '')
    .split(/, | or /)
    .map((word) => word.replace(/^"|"$/g, ''));
}

/** The keys the validator allows where `wrap` puts an object holding one unknown key. */
function allowedKeys(wrap: (probe: Record<string, unknown>) => unknown): string[] {
  return listAfter(refusal(wrap({ [UNKNOWN]: 1 })), /allowed keys (?:for an? \w+ field )?are /);
}

/** `key` appears in the doc as code: `key`, or inside a code span/path like `limits.key` or `"key"`. */
function documented(key: string): boolean {
  return new RegExp(`[\`."]${key.replace(/[$]/g, '\\$&')}[\`"\\s:]`).test(DOC);
}

const fn = () => undefined;
const AREAS: [string, (probe: Record<string, unknown>) => unknown][] = [
  ['top level', (p) => p],
  ['limits', (p) => ({ limits: p })],
  ['timeouts', (p) => ({ timeouts: p })],
  ['auth', (p) => ({ auth: p })],
  ['auth.loginThrottle', (p) => ({ auth: { loginThrottle: p } })],
  ['cors', (p) => ({ cors: p })],
  ['idempotency', (p) => ({ idempotency: p })],
  ['a collection', (p) => ({ collections: { books: p } })],
  ['rules', (p) => ({ collections: { books: { rules: p } } })],
  ['hooks', (p) => ({ collections: { books: {} }, hooks: { books: { ...p, beforeCreate: fn } } })],
  ...FIELD_TYPES.map((type): [string, (p: Record<string, unknown>) => unknown] => [
    `a ${type} field`,
    (p) => ({
      collections: {
        books: { fields: { f: { type, ...(type === 'select' ? { values: ['a'] } : {}), ...p } } },
      },
    }),
  ]),
];

describe('docs/config.md names every key the validator accepts', () => {
  for (const [area, wrap] of AREAS) {
    test(area, () => {
      const keys = allowedKeys(wrap);
      assert.ok(keys.length > 0);
      const missing = keys.filter((key) => !documented(key));
      assert.deepEqual(missing, [], `undocumented keys of ${area}: ${missing.join(', ')}`);
    });
  }

  test('every field type', () => {
    const types = listAfter(
      refusal({ collections: { books: { fields: { f: { type: UNKNOWN } } } } }),
      /expected one of /,
    );
    assert.deepEqual(types.sort(), [...FIELD_TYPES].sort(), 'the validator lists the field types');
    for (const type of types)
      assert.match(DOC, new RegExp(`^#+ .*\`${type}\``, 'm'), `a heading for ${type}`);
  });

  test('every rule kind', () => {
    const message = refusal({ collections: { books: { rules: { list: '((' } } } });
    const match = /is neither a rule kind \(([^)]*)\)/.exec(message);
    assert.ok(match, message);
    const kinds = match[1].split(/, | or /);
    assert.ok(kinds.includes('public'), kinds.join());
    for (const kind of kinds) assert.ok(documented(kind), `rule kind ${kind}`);
  });
});
