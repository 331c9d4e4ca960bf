import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodOverride } from './method-override.js';
import { Problem } from './problem.js';

describe('methodOverride', () => {
  const cases: [string, Record<string, string[]>, ReturnType<typeof methodOverride>][] = [
    ['no _method', { title: ['x'] }, undefined],
    ['an empty _method', { _method: [''] }, undefined],
    ['PUT', { _method: ['PUT'] }, { method: 'PUT' }],
    ['lower case', { _method: ['patch'] }, { method: 'PATCH' }],
    ['spaces around', { _method: [' delete '] }, { method: 'DELETE' }],
    ['with _etag', { _method: ['PUT'], _etag: ['"abc"'] }, { method: 'PUT', ifMatch: '"abc"' }],
    ['an empty _etag', { _method: ['PUT'], _etag: [''] }, { method: 'PUT' }],
    ['the first of repeated values', { _method: ['DELETE', 'PUT'] }, { method: 'DELETE' }],
    ['_etag without _method', { _etag: ['"abc"'] }, undefined],
  ];
  for (const [name, fields, expected] of cases) {
    it(name, () => assert.deepEqual(methodOverride(fields), expected));
  }

  for (const bad of ['POST', 'GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUTT', 'PUT PATCH']) {
    it(`refuses _method=${bad} with a 400`, () => {
      assert.throws(
        () => methodOverride({ _method: [bad] }),
        (error: unknown) =>
          error instanceof Problem && error.status === 400 && error.detail.includes('PUT, PATCH or DELETE'),
      );
    });
  }

  it('reads only own fields of a null-prototype form', () => {
    const fields: Record<string, string[]> = Object.create(null);
    assert.equal(methodOverride(fields), undefined);
  });
});
