import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyJsonPatch } from './json-patch.js';
import { type JsonPatchBound, JsonPatchError, JsonPatchLimitError } from './json-patch-error.js';

const MiB = 1024 * 1024;
const LIMITS = { operations: 100, bytes: MiB, depth: 64, work: 4 * MiB };

/** What JSON.stringify writes, in UTF-8 bytes. */
const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** `levels` objects nested in one another under the key `a`. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** The chained copy bomb: each operation copies the whole document into itself. */
function copyBomb(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({ op: 'copy', from: '', path: `/k${i}` }));
}

/** Asserts the patch is refused for `bound` at operation `index`, leaving `doc` as it was. */
function assertRefused(
  doc: unknown,
  patch: unknown,
  limits: typeof LIMITS,
  bound: JsonPatchBound,
  index?: number,
) {
  const before = structuredClone(doc);
  assert.throws(
    () => applyJsonPatch(doc, patch, limits),
    (error: unknown) => {
      assert.ok(error instanceof JsonPatchLimitError, String(error));
      assert.equal(error.kind, 'limit');
      assert.equal(error.bound, bound);
      if (index !== undefined) assert.equal(error.index, index);
      return true;
    },
  );
  assert.deepEqual(doc, before, 'the input document is untouched');
}

describe('JSON Patch: each bound at the limit and one over', () => {
  const doc = { id: 'r1', title: 'Dune', tags: { series: ['dune'] } };
  const added = { op: 'add', path: '/note', value: 'x'.repeat(100) };
  const withNote = { ...doc, note: 'x'.repeat(100) };
  const testOp = { op: 'test', path: '/tags', value: { series: ['dune'] } };
  const testWork = size(doc.tags) + size(testOp.value);
  const rows: {
    name: string;
    patch: unknown[];
    limits: Partial<typeof LIMITS>;
    refused?: JsonPatchBound;
    index?: number;
  }[] = [
    { name: 'operations: exactly the bound', patch: [testOp, testOp, testOp], limits: { operations: 3 } },
    {
      name: 'operations: one over, refused before any runs (even a malformed one)',
      patch: [{ op: 'nonsense' }, testOp, testOp, testOp],
      limits: { operations: 3 },
      refused: 'operations',
      index: -1,
    },
    { name: 'size: exactly the bound', patch: [added], limits: { bytes: size(withNote) } },
    {
      name: 'size: one byte over',
      patch: [added],
      limits: { bytes: size(withNote) - 1 },
      refused: 'bytes',
      index: 0,
    },
    {
      name: 'size: counted in UTF-8 bytes',
      patch: [{ op: 'add', path: '/note', value: 'é'.repeat(50) }],
      limits: { bytes: size({ ...doc, note: 'é'.repeat(50) }) - 1 },
      refused: 'bytes',
      index: 0,
    },
    {
      name: 'size: a large intermediate document is refused even if a later operation shrinks it',
      patch: [testOp, added, { op: 'remove', path: '/note' }],
      limits: { bytes: size(withNote) - 1 },
      refused: 'bytes',
      index: 1,
    },
    {
      name: 'depth: a value reaching exactly the bound',
      patch: [{ op: 'add', path: '/deep', value: nested(63) }],
      limits: {},
    },
    {
      name: 'depth: a value one level over',
      patch: [{ op: 'add', path: '/deep', value: nested(64) }],
      limits: {},
      refused: 'depth',
      index: 0,
    },
    {
      name: 'depth: a replace one level over',
      patch: [testOp, { op: 'replace', path: '/tags', value: nested(64) }],
      limits: {},
      refused: 'depth',
      index: 1,
    },
    {
      name: 'depth: a move no deeper than it was',
      patch: [
        { op: 'add', path: '/deep', value: nested(62) },
        { op: 'move', from: '/deep', path: '/deeper' },
      ],
      limits: {},
    },
    {
      name: 'depth: a move one level deeper than fits',
      patch: [
        { op: 'add', path: '/deep', value: nested(63) },
        { op: 'move', from: '/deep', path: '/tags/deep' },
      ],
      limits: {},
      refused: 'depth',
      index: 1,
    },
    { name: 'work: exactly the bound', patch: [testOp], limits: { work: testWork } },
    {
      name: 'work: one byte over',
      patch: [testOp],
      limits: { work: testWork - 1 },
      refused: 'work',
      index: 0,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const limits = { ...LIMITS, ...row.limits };
      if (row.refused === undefined) {
        const result = applyJsonPatch(doc, row.patch, limits);
        assert.ok(size(result) <= limits.bytes);
        return;
      }
      assertRefused(doc, row.patch, limits, row.refused, row.index);
    });
  }
});

describe('JSON Patch: the copy bomb', () => {
  for (const n of [25, 60]) {
    it(`${n} chained copies of the whole document are refused once it would pass the size bound`, () => {
      const doc = { id: 'r1', title: 'Dune' };
      // The document doubles (plus a key) with each copy: the first copy that would pass 1 MiB is refused.
      let bytes = size(doc);
      let crossing = -1;
      for (let i = 0; i < n && crossing === -1; i++) {
        bytes = 2 * bytes + size(`k${i}`) + 2;
        if (bytes > MiB) crossing = i;
      }
      assert.ok(crossing > 0 && crossing < n);
      assertRefused(doc, copyBomb(n), LIMITS, 'bytes', crossing);
    });
  }

  it('a bomb under a small size bound is refused as early', () => {
    assertRefused({ id: 'r1' }, copyBomb(25), { ...LIMITS, bytes: 1000 }, 'bytes', 5);
  });
});

describe('JSON Patch: deep adds', () => {
  it('a chain of adds, each one level deeper, is refused at the add that passes 64 levels', () => {
    // The root is level 1; the add at index i makes the document i + 2 levels deep.
    const patch = Array.from({ length: 70 }, (_, i) => ({ op: 'add', path: '/a'.repeat(i + 1), value: {} }));
    assertRefused({ id: 'r1' }, patch, LIMITS, 'depth', 63);
    const fits = applyJsonPatch({ id: 'r1' }, patch.slice(0, 63), LIMITS);
    assert.ok(fits);
  });

  it('copying a deep value deeper is refused', () => {
    // 61 levels under the root fit; copied three levels deeper, they would not.
    const doc = { id: 'r1', deep: nested(61) };
    assertRefused(
      doc,
      [
        { op: 'add', path: '/x', value: { y: { z: {} } } },
        { op: 'copy', from: '/deep', path: '/x/y/z/w' },
      ],
      LIMITS,
      'depth',
      1,
    );
  });
});

describe('JSON Patch: the work budget', () => {
  it('a hundred replaces of a large field are refused once they have walked the budget', () => {
    const big = 'x'.repeat(100_000);
    const doc = { id: 'r1', text: big };
    const patch = Array.from({ length: 100 }, () => ({ op: 'replace', path: '/text', value: big }));
    // Each replace measures the old value and copies the new one: two sizes of the field.
    const perOp = 2 * size(big);
    assertRefused(doc, patch, LIMITS, 'work', Math.floor(LIMITS.work / perOp));
  });

  it('tests of a large value count too', () => {
    const big = { items: Array.from({ length: 10_000 }, (_, i) => i) };
    const patch = Array.from({ length: 100 }, () => ({ op: 'test', path: '/big', value: big }));
    assertRefused({ id: 'r1', big }, patch, LIMITS, 'work');
  });

  it('copy-and-remove loops are bounded by work even though the size stays small', () => {
    const doc = { id: 'r1', text: 'y'.repeat(200_000) };
    const patch = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0 ? { op: 'copy', from: '/text', path: '/copy' } : { op: 'remove', path: '/copy' },
    );
    assertRefused(doc, patch, LIMITS, 'work');
  });
});

describe('JSON Patch: the size is tracked exactly', () => {
  /** A small deterministic generator, so a failure is reproducible. */
  function random(seed: number) {
    let state = seed;
    return (n: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
  }
  function value(pick: (n: number) => number, depth = 0): unknown {
    const kind = pick(depth > 2 ? 4 : 6);
    if (kind === 0) return pick(1000) - 500;
    if (kind === 1) return ['a', 'é', '"q"', '\n', '日本', ''][pick(6)];
    if (kind === 2) return [true, false, null][pick(3)];
    if (kind === 3) return 1.25;
    if (kind === 4) return Array.from({ length: pick(3) }, () => value(pick, depth + 1));
    const out: Record<string, unknown> = {};
    for (let i = 0; i < pick(3); i++) {
      const key = ['x', 'y', 'ü', '~/', '__proto__'][pick(5)];
      Object.defineProperty(out, key, {
        value: value(pick, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  function pointers(v: unknown, prefix = ''): string[] {
    const out = [prefix];
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) out.push(...pointers(x, `${prefix}/${i}`));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        out.push(...pointers(x, `${prefix}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`));
      }
    }
    return out;
  }

  it('for random patches, the largest intermediate size is exactly the bound that still passes', () => {
    const pick = random(7);
    let checked = 0;
    for (let trial = 0; trial < 400; trial++) {
      const doc = { root: value(pick) };
      const patch: unknown[] = [];
      const sizes: number[] = [];
      let current: unknown = doc;
      for (let i = 0; i < 8; i++) {
        const paths = pointers(current);
        const path = paths[pick(paths.length)];
        const op = ['add', 'remove', 'replace', 'move', 'copy', 'test'][pick(6)];
        const candidate: Record<string, unknown> = { op, path: pick(2) === 0 ? path : `${path}/n${pick(2)}` };
        if (op === 'move' || op === 'copy') candidate.from = paths[pick(paths.length)];
        if (op === 'add' || op === 'replace' || op === 'test') candidate.value = value(pick);
        try {
          current = applyJsonPatch(current, [candidate], LIMITS);
        } catch (error) {
          if (error instanceof JsonPatchError && error.kind !== 'limit') continue;
          throw error;
        }
        patch.push(candidate);
        sizes.push(size(current));
      }
      if (patch.length === 0) continue;
      const largest = Math.max(...sizes);
      assert.deepEqual(applyJsonPatch(doc, patch, { ...LIMITS, bytes: largest }), current);
      assert.throws(() => applyJsonPatch(doc, patch, { ...LIMITS, bytes: largest - 1 }), JsonPatchLimitError);
      checked++;
    }
    assert.ok(checked > 300, `${checked} patches checked`);
  });
});

describe('JSON Patch: the input is never changed', () => {
  const failing: [string, unknown[]][] = [
    [
      'a failed test after changes',
      [
        { op: 'add', path: '/x', value: 1 },
        { op: 'test', path: '/x', value: 2 },
      ],
    ],
    [
      'a bad path after changes',
      [
        { op: 'remove', path: '/tags' },
        { op: 'remove', path: '/nope' },
      ],
    ],
    ['a bound hit after changes', [{ op: 'remove', path: '/tags/series' }, ...copyBomb(30)]],
  ];
  for (const [name, patch] of failing) {
    it(name, () => {
      const doc = { id: 'r1', tags: { series: ['dune'] } };
      const before = structuredClone(doc);
      assert.throws(() => applyJsonPatch(doc, patch, LIMITS), JsonPatchError);
      assert.deepEqual(doc, before);
    });
  }

  it('nor after success: the result is a copy', () => {
    const doc = { id: 'r1', tags: { series: ['dune'] } };
    const result = applyJsonPatch(doc, [{ op: 'add', path: '/tags/series/-', value: 'messiah' }], LIMITS);
    assert.deepEqual(doc, { id: 'r1', tags: { series: ['dune'] } });
    assert.deepEqual(result, { id: 'r1', tags: { series: ['dune', 'messiah'] } });
  });
});
