/** redirectTarget: `_redirect` with `{id}` replaced, a same-origin path before and after, or nothing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redirectTarget } from './form-respond.js';

const rows: { value: string | undefined; id: string | undefined; expected: string | undefined }[] = [
  { value: '/books/{id}', id: 'abc', expected: '/books/abc' },
  { value: '/books/{id}?again={id}', id: 'a_b-1', expected: '/books/a_b-1?again=a_b-1' },
  { value: '/thanks', id: 'abc', expected: '/thanks' },
  { value: '/books/{id}', id: undefined, expected: '/books/%7Bid%7D' },
  // Ids are URL-safe, but whatever an id holds is encoded, never read as path syntax.
  { value: '/{id}', id: '/evil.com', expected: '/%2Fevil.com' },
  { value: '/x/{id}', id: 'a?b#c', expected: '/x/a%3Fb%23c' },
  { value: '/{id}/..//evil.com', id: 'abc', expected: undefined },
  { value: '//{id}', id: 'abc', expected: undefined },
  { value: '{id}', id: 'abc', expected: undefined },
  { value: 'https://evil.com/{id}', id: 'abc', expected: undefined },
  { value: undefined, id: 'abc', expected: undefined },
];
for (const row of rows) {
  test(`${JSON.stringify(row.value)} with id ${JSON.stringify(row.id)} → ${JSON.stringify(row.expected)}`, () => {
    assert.equal(redirectTarget(row.value, row.id), row.expected);
  });
}
