/** isPlainObject: what counts as a JSON object. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPlainObject } from './is-plain-object.js';

const rows: [unknown, boolean][] = [
  [{}, true],
  [{ a: 1 }, true],
  [Object.create(null), true],
  [JSON.parse('{"__proto__": 1}'), true],
  [[], false],
  [[{}], false],
  [null, false],
  [undefined, false],
  ['{}', false],
  [0, false],
  [true, false],
];
for (const [value, expected] of rows) {
  test(`${JSON.stringify(value) ?? String(value)} → ${expected}`, () => {
    assert.equal(isPlainObject(value), expected);
  });
}
