/** The problem and field-issue catalogues: one identifier per problem, unique, with valid statuses. */
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { test } from 'node:test';
import { FIELD_ISSUES, PROBLEMS, Problem, type ProblemCode, problemForStatus } from './problem.js';

const BASE = 'https://methodical.dev/problems/';
const entries = Object.entries(PROBLEMS) as [ProblemCode, (typeof PROBLEMS)[ProblemCode]][];

function kebab(code: string): string {
  return code.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

test('every problem code is unique, camelCase', () => {
  const codes = entries.map(([code]) => code);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.match(code, /^[a-z][a-zA-Z]*$/, code);
});

test('every typed problem slug is its code in kebab-case', () => {
  for (const [code, spec] of entries) {
    if (spec.type === 'about:blank') continue;
    assert.equal(spec.type, BASE + kebab(code), code);
  }
});

test('every problem type is unique (about:blank aside) and every about:blank status appears once', () => {
  const typed = entries.filter(([, s]) => s.type !== 'about:blank').map(([, s]) => s.type);
  assert.equal(new Set(typed).size, typed.length);
  const blank = entries.filter(([, s]) => s.type === 'about:blank').map(([, s]) => s.status);
  assert.equal(new Set(blank).size, blank.length);
});

test('every status is a valid 4xx or 5xx status, and about:blank titles are its phrase', () => {
  for (const [code, spec] of entries) {
    assert.ok(Number.isInteger(spec.status) && spec.status >= 400 && spec.status <= 599, code);
    assert.ok(STATUS_CODES[spec.status] !== undefined, `${code}: ${spec.status} is not a known status`);
    assert.ok(spec.title.length > 0, code);
    // RFC 9110 renamed 413 to Content Too Large; Node's table may still say Payload Too Large.
    if (spec.type === 'about:blank' && spec.status !== 413)
      assert.equal(spec.title, STATUS_CODES[spec.status], code);
  }
});

test('a Problem carries its catalogue entry', () => {
  const problem = new Problem('idMismatch', 'The body id "b" differs from the URL id "a".');
  assert.deepEqual(problem.toJSON('/api/books/a'), {
    type: `${BASE}id-mismatch`,
    title: 'Body id differs from the URL',
    status: 409,
    detail: 'The body id "b" differs from the URL id "a".',
    instance: '/api/books/a',
  });
});

test('problemForStatus prefers the about:blank entry of a status', () => {
  assert.equal(problemForStatus(409, 'x').code, 'conflict');
  assert.equal(problemForStatus(403, 'x').code, 'forbidden');
  assert.equal(problemForStatus(418, 'x').code, 'badRequest');
  assert.equal(problemForStatus(599, 'x').code, 'internal');
});

test('every field-issue code is unique, snake_case, and described', () => {
  const codes = Object.keys(FIELD_ISSUES);
  assert.equal(new Set(codes).size, codes.length);
  for (const [code, description] of Object.entries(FIELD_ISSUES)) {
    assert.match(code, /^[a-z]+(_[a-z]+)*$/, code);
    assert.ok(description.endsWith('.'), code);
  }
});
