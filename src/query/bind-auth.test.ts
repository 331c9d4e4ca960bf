import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Expr } from './ast.js';
import { type AuthValues, bindAuth, usesAuth } from './bind-auth.js';
import { parseFilter } from './parser.js';

const USER: AuthValues = { id: 'u1', email: 'ann@example.com', admin: true };

/** The literals and fields of an expression, left to right. */
function operands(expr: Expr): unknown[] {
  if (expr.kind !== 'cmp') return [...operands(expr.left), ...operands(expr.right)];
  return [expr.left, expr.right].map((o) =>
    o.kind === 'literal' ? o.value : `${o.kind}:${'name' in o ? o.name : o.prop}`,
  );
}

describe('bindAuth', () => {
  const cases: [string, AuthValues | null, unknown[]][] = [
    ['owner = @auth.id', USER, ['field:owner', 'u1']],
    ['@auth.email = email', USER, ['ann@example.com', 'field:email']],
    ['@auth.admin = true || owner = @auth.id', USER, [true, true, 'field:owner', 'u1']],
    ['(a = @auth.id && (b = @auth.email))', USER, ['field:a', 'u1', 'field:b', 'ann@example.com']],
    ['owner = @auth.id', null, ['field:owner', null]],
    ['@auth.admin = true && @auth.email != "x"', null, [null, true, null, 'x']],
    ['year = 1965', USER, ['field:year', 1965]],
  ];
  for (const [src, auth, expected] of cases) {
    it(`${src} as ${auth === null ? 'anonymous' : auth.id}`, () => {
      const bound = bindAuth(parseFilter(src), auth);
      assert.deepEqual(operands(bound), expected);
      assert.equal(usesAuth(bound), false);
    });
  }

  it('keeps positions and leaves the input untouched', () => {
    const expr = parseFilter('owner = @auth.id');
    const bound = bindAuth(expr, USER);
    assert.deepEqual(bound, {
      kind: 'cmp',
      op: '=',
      left: { kind: 'field', name: 'owner', pos: 0 },
      right: { kind: 'literal', value: 'u1', pos: 8 },
      pos: 0,
    });
    assert.equal(expr.kind === 'cmp' && expr.right.kind, 'auth');
  });
});

describe('usesAuth', () => {
  const cases: [string, boolean][] = [
    ['year = 1965', false],
    ['"@auth.id" = title', false],
    ['owner = @auth.id', true],
    ['@auth.admin = true', true],
    ['a = 1 && (b = 2 || c = @auth.email)', true],
    ['a = 1 && (b = 2 || c = 3)', false],
  ];
  for (const [src, expected] of cases) {
    it(src, () => assert.equal(usesAuth(parseFilter(src)), expected));
  }
});
