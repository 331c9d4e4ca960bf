import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloneWithin, JsonBudgetExceeded, jsonBytes, jsonStringBytes, measureWithin } from './json-size.js';

const UNBOUNDED = { maxBytes: Number.POSITIVE_INFINITY, maxDepth: Number.POSITIVE_INFINITY };

/** What JSON.stringify writes, in UTF-8 bytes: the measure every size here must agree with. */
const actual = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** `levels` arrays nested in one another, the innermost holding `inner`. */
function nested(levels: number, inner: unknown = 1): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('JSON sizes agree with JSON.stringify', () => {
  const values: [string, unknown][] = [
    ['null', null],
    ['true', true],
    ['false', false],
    ['an integer', -1234],
    ['a fraction', 1.5e-7],
    ['a large number', 1e21],
    ['an ASCII string', 'Dune'],
    ['escapes', 'a "quote", a \\ and a\nnewline\u0001'],
    ['two- and three-byte characters', 'é日本'],
    ['a four-byte character', '𝄞'],
    ['an empty array', []],
    ['an empty object', {}],
    ['an array', [1, 'two', null, [true]]],
    ['an object', { title: 'Dune', tags: { shelf: 'A', series: ['dune'] }, 'ké"y': 1 }],
    ['a parsed __proto__ key', JSON.parse('{"__proto__": {"x": 1}, "a": [] }')],
    ['deep nesting', nested(40, { a: 'b' })],
  ];
  for (const [name, value] of values) {
    it(name, () => {
      assert.equal(jsonBytes(value), actual(value));
      assert.equal(measureWithin(value, UNBOUNDED).bytes, actual(value));
      const copy = cloneWithin(value, UNBOUNDED);
      assert.equal(copy.bytes, actual(value));
      assert.deepEqual(copy.value, value);
      assert.equal(JSON.stringify(copy.value), JSON.stringify(value));
    });
  }

  it('jsonStringBytes counts quotes and escapes', () => {
    assert.equal(jsonStringBytes(''), 2);
    assert.equal(jsonStringBytes('"'), 4);
    assert.equal(jsonStringBytes('é'), 4);
  });
});

describe('cloneWithin', () => {
  it('copies: the copy shares nothing with the source', () => {
    const source = { a: { b: [1, { c: 2 }] } };
    const copy = cloneWithin(source, UNBOUNDED).value as typeof source;
    (copy.a.b[1] as { c: number }).c = 3;
    assert.deepEqual(source, { a: { b: [1, { c: 2 }] } });
  });

  it('keeps a parsed __proto__ key as data, not as the prototype', () => {
    const copy = cloneWithin(JSON.parse('{"__proto__": {"polluted": true}}'), UNBOUNDED).value as object;
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.ok(Object.hasOwn(copy, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('records the member count of every object it copies', () => {
    const counts = new WeakMap<object, number>();
    const copy = cloneWithin({ a: 1, b: { c: 2 } }, { ...UNBOUNDED, counts }).value as Record<string, object>;
    assert.equal(counts.get(copy), 2);
    assert.equal(counts.get(copy.b), 1);
  });

  const bytes = actual({ a: [1, 2, 3] });
  const budgets: { name: string; maxBytes: number; maxDepth: number; refused?: 'bytes' | 'depth' }[] = [
    { name: 'bytes: exactly the size', maxBytes: bytes, maxDepth: 2 },
    { name: 'bytes: one short', maxBytes: bytes - 1, maxDepth: 2, refused: 'bytes' },
    { name: 'depth: exactly the depth', maxBytes: bytes, maxDepth: 2 },
    { name: 'depth: one short', maxBytes: bytes, maxDepth: 1, refused: 'depth' },
    { name: 'depth 0 takes no container', maxBytes: bytes, maxDepth: 0, refused: 'depth' },
  ];
  for (const row of budgets) {
    it(row.name, () => {
      const run = () => cloneWithin({ a: [1, 2, 3] }, { maxBytes: row.maxBytes, maxDepth: row.maxDepth });
      if (row.refused === undefined) {
        assert.equal(run().depth, 2);
        return;
      }
      assert.throws(run, (e: unknown) => e instanceof JsonBudgetExceeded && e.budget === row.refused);
    });
  }

  it('stops as soon as the budget is spent, whatever the size of the value', () => {
    let reads = 0;
    const huge = new Proxy(new Array(1_000_000).fill('item'), {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    assert.throws(() => cloneWithin(huge, { maxBytes: 100, maxDepth: 64 }), JsonBudgetExceeded);
    assert.ok(reads < 1000, `read ${reads} elements of a million for a 100-byte budget`);
  });

  it('refuses a deep value at the first level too deep, without walking it all', () => {
    assert.throws(
      () => cloneWithin(nested(100_000), { maxBytes: Number.POSITIVE_INFINITY, maxDepth: 64 }),
      (e: unknown) => e instanceof JsonBudgetExceeded && e.budget === 'depth',
    );
  });
});
