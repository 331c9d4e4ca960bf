import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange, type RangeRequest, rangeStillValid } from './range.js';

const ok = (start: number, end: number): RangeRequest => ({ kind: 'ok', start, end });
const NONE: RangeRequest = { kind: 'none' };
const IGNORE: RangeRequest = { kind: 'ignore' };
const UNSATISFIABLE: RangeRequest = { kind: 'unsatisfiable' };

describe('parseRange', () => {
  const cases: [string | undefined, number, RangeRequest][] = [
    [undefined, 10, NONE],
    ['bytes=0-0', 10, ok(0, 0)],
    ['bytes=0-4', 10, ok(0, 4)],
    ['bytes=2-5', 10, ok(2, 5)],
    ['bytes=9-9', 10, ok(9, 9)],
    ['bytes=0-9', 10, ok(0, 9)],
    ['bytes=0-999', 10, ok(0, 9)],
    ['bytes=3-', 10, ok(3, 9)],
    ['bytes=0-', 10, ok(0, 9)],
    ['bytes=-1', 10, ok(9, 9)],
    ['bytes=-4', 10, ok(6, 9)],
    ['bytes=-10', 10, ok(0, 9)],
    ['bytes=-999', 10, ok(0, 9)],
    ['bytes=0-99999999999999999999', 10, ok(0, 9)],
    // unsatisfiable: nothing of the range overlaps the file
    ['bytes=5-', 5, UNSATISFIABLE],
    ['bytes=10-20', 10, UNSATISFIABLE],
    ['bytes=99999999999999999999-', 10, UNSATISFIABLE],
    ['bytes=-0', 10, UNSATISFIABLE],
    ['bytes=0-0', 0, UNSATISFIABLE],
    ['bytes=0-', 0, UNSATISFIABLE],
    ['bytes=-5', 0, UNSATISFIABLE],
    // tolerated spelling
    ['Bytes=1-2', 10, ok(1, 2)],
    ['bytes= 1-2 ', 10, ok(1, 2)],
    ['bytes=1-2,', 10, ok(1, 2)],
    ['bytes=, 1-2', 10, ok(1, 2)],
    // several ranges: the whole file
    ['bytes=0-1,4-5', 10, IGNORE],
    ['bytes=0-1, 20-30', 10, IGNORE],
    // invalid: ignored, so the whole file is served
    ['bytes=5-4', 10, IGNORE],
    ['bytes=', 10, IGNORE],
    ['bytes=-', 10, IGNORE],
    ['bytes=a-b', 10, IGNORE],
    ['bytes=1.5-2', 10, IGNORE],
    ['bytes=+1-2', 10, IGNORE],
    ['bytes=1 - 2', 10, IGNORE],
    ['bytes=--1', 10, IGNORE],
    ['bytes 0-1', 10, IGNORE],
    ['items=0-1', 10, IGNORE],
    ['0-1', 10, IGNORE],
    ['', 10, IGNORE],
    ['garbage', 10, IGNORE],
  ];
  for (const [header, size, expected] of cases) {
    it(`${JSON.stringify(header)} on ${size} bytes → ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parseRange(header, size), expected));
  }
});

describe('rangeStillValid', () => {
  const etag = '"abc"';
  const lastModified = 'Tue, 02 Jan 2024 03:04:05 GMT';
  const cases: [string | undefined, boolean][] = [
    [undefined, true],
    ['"abc"', true],
    [' "abc" ', true],
    ['"abd"', false],
    ['W/"abc"', false],
    ['"abc", "def"', false],
    ['*', false],
    ['Tue, 02 Jan 2024 03:04:05 GMT', true],
    ['Tue, 02 Jan 2024 03:04:06 GMT', false],
    ['Tue, 02 Jan 2024 03:04:04 GMT', false],
    ['not a date', false],
    ['', false],
  ];
  for (const [ifRange, expected] of cases) {
    it(`If-Range ${JSON.stringify(ifRange)} → ${expected}`, () =>
      assert.equal(rangeStillValid(ifRange, etag, lastModified), expected));
  }

  it('a date cannot match without Last-Modified', () => {
    assert.equal(rangeStillValid(lastModified, etag, undefined), false);
  });
});
