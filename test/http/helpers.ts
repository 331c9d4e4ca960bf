/**
 * Shared assertions for the HTTP scenario tests: problem bodies, record
 * creation, stored state and a movable clock.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { RecordData } from '../../src/schema/types.js';
import { json, type TestApp } from '../harness.js';

export const DUNE = { title: 'Dune', author: 'Frank Herbert', year: 1965 } as const;

/** The media type of a response, without parameters. */
export function mediaType(res: LightMyRequestResponse): string {
  return String(res.headers['content-type'] ?? '')
    .split(';')[0]
    .trim();
}

export interface ProblemExpectation {
  /** The problem `type`; about:blank problems must carry the status phrase as title. */
  type?: string;
  title?: string;
  /** What `detail` must say. */
  detail?: RegExp;
}

/** Asserts an RFC 9457 problem response and returns its body. */
export function assertProblem(
  res: LightMyRequestResponse,
  status: number,
  expected: ProblemExpectation = {},
): Record<string, unknown> {
  assert.equal(res.statusCode, status, `expected ${status}, got ${res.statusCode}: ${res.body}`);
  assert.equal(mediaType(res), 'application/problem+json');
  const body = json(res);
  assert.equal(body.status, status);
  assert.equal(typeof body.type, 'string');
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.ok((body.detail as string).length > 0, 'detail says what happened');
  if (expected.type !== undefined) assert.equal(body.type, expected.type);
  if (expected.title !== undefined) assert.equal(body.title, expected.title);
  if (expected.detail !== undefined) assert.match(body.detail as string, expected.detail);
  assert.equal(body.stack, undefined);
  assert.doesNotMatch(res.body, /node_modules|\/src\/|\bat [A-Za-z.]+ \(/, 'no stack or path leaks');
  return body;
}

/** Creates a record through the API; returns its id, ETag and body. */
export async function create(
  t: TestApp,
  collection: string,
  body: Record<string, unknown>,
): Promise<{ id: string; etag: string; body: Record<string, unknown> }> {
  const res = await t.request({ method: 'POST', url: `/api/${collection}`, payload: body });
  assert.equal(res.statusCode, 201, res.body);
  const record = json(res);
  return { id: record.id as string, etag: String(res.headers.etag), body: record };
}

/** Every stored record of a collection, oldest first. */
export async function stored(t: TestApp, collection: string): Promise<RecordData[]> {
  const result = await t.store.list(collection, {
    filter: null,
    sort: [{ field: 'created', desc: false }],
    limit: 1000,
    offset: 0,
    count: false,
  });
  return result.items;
}

/** A clock the test moves by hand. */
export function movableClock(start = Date.now()) {
  let time = start;
  return {
    now: () => new Date(time),
    advance(ms: number) {
      time += ms;
    },
  };
}

/** Headers of a response without the ones that differ between any two responses. */
export function stableHeaders(res: LightMyRequestResponse): Record<string, unknown> {
  const { date: _date, connection: _connection, ...rest } = res.headers;
  return rest;
}

/** Lets the event loop run until `done()` holds (or a generous number of turns has passed). */
export async function settle(done: () => boolean, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
}
