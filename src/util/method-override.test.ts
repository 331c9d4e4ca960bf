/** methodOverride: which method a form's `_method` stands for, and `_etag` as an entity tag. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FormFields, methodOverride } from './method-override.js';
import { Problem } from './problem.js';

const accepted: { fields: FormFields; method: string; etag?: string }[] = [
  { fields: { _method: ['PUT'] }, method: 'PUT' },
  { fields: { _method: ['PATCH'], _etag: ['"abc"'] }, method: 'PATCH', etag: '"abc"' },
  { fields: { _method: ['DELETE'], _etag: ['abc'] }, method: 'DELETE', etag: '"abc"' },
  { fields: { _method: ['delete'], _etag: ['W/"abc"'] }, method: 'DELETE', etag: 'W/"abc"' },
  { fields: { _method: [' Put '], _etag: ['*'] }, method: 'PUT', etag: '*' },
  { fields: { _method: ['PUT'], _etag: [''] }, method: 'PUT' },
  { fields: { _method: ['PUT', 'GET'] }, method: 'PUT' },
  { fields: { _method: 'PATCH', _etag: ' "x" ' }, method: 'PATCH', etag: '"x"' },
];
for (const row of accepted) {
  test(`${JSON.stringify(row.fields)} → ${row.method}${row.etag ? ` with ${row.etag}` : ''}`, () => {
    const expected = row.etag === undefined ? { method: row.method } : { method: row.method, etag: row.etag };
    assert.deepEqual(methodOverride(row.fields), expected);
  });
}

for (const fields of [{}, { title: ['x'] }, { _etag: ['"abc"'] }, { _method: [] }] as FormFields[]) {
  test(`${JSON.stringify(fields)} → no override`, () => {
    assert.equal(methodOverride(fields), null);
  });
}

for (const value of ['GET', 'POST', 'HEAD', 'OPTIONS', 'CONNECT', 'PUTS', 'P UT', '', 'PATCH\u0000']) {
  test(`_method=${JSON.stringify(value)} → 400`, () => {
    assert.throws(
      () => methodOverride({ _method: [value] }),
      (error: unknown) =>
        error instanceof Problem && error.status === 400 && /PUT, PATCH or DELETE/.test(error.detail),
    );
  });
}

test('a field named like an Object.prototype member is not a _method', () => {
  assert.equal(methodOverride(Object.create(null)), null);
  assert.equal(methodOverride({ constructor: ['PUT'] }), null);
});
