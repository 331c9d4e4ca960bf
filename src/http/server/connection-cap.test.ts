import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConnectionBudget, connectionBudget, parseOpenFileLimit } from './connection-cap.js';

describe('parseOpenFileLimit', () => {
  const table = (soft: string, hard: string) =>
    [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max processes             63704                63704                processes ',
      `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
      'Max locked memory         8388608              8388608              bytes     ',
    ].join('\n');
  const cases: [string, string, number | undefined][] = [
    ['a soft limit below the hard one', table('1024', '524288'), 1024],
    ['equal limits', table('20000', '20000'), 20000],
    ['no soft limit', table('unlimited', 'unlimited'), undefined],
    ['no such line', 'Limit  Soft Limit  Hard Limit  Units\n', undefined],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name}: ${expected}`, () => assert.equal(parseOpenFileLimit(text), expected));
  }
});

describe('connectionBudget', () => {
  const cases: [number, number | undefined, ConnectionBudget][] = [
    // The configured cap fits well under the file limit.
    [10_000, 524_288, { serve: 10_000, accept: 10_000 + 26_215 }],
    // The file limit minus a tenth wins.
    [10_000, 20_000, { serve: 10_000, accept: 11_000 }],
    [10_000, 10_000, { serve: 9_000, accept: 9_500 }],
    // Linux's common default of 1024 open files.
    [10_000, 1024, { serve: 921, accept: 973 }],
    // A small file limit keeps a reserve of at least 100.
    [10_000, 500, { serve: 400, accept: 450 }],
    // No known file limit: the configured cap alone.
    [10_000, undefined, { serve: 10_000, accept: 10_500 }],
    [3, undefined, { serve: 3, accept: 53 }],
    // Never less than one connection.
    [10, 50, { serve: 1, accept: 51 }],
  ];
  for (const [configured, fileLimit, expected] of cases) {
    it(`${configured} configured, a file limit of ${fileLimit}: serve ${expected.serve}`, () => {
      assert.deepEqual(connectionBudget(configured, fileLimit), expected);
    });
  }
});
