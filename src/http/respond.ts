/**
 * Turning service outcomes into responses: status, body bytes and the
 * headers that go with them (ETag, Last-Modified, Location, Cache-Control,
 * Vary, Preference-Applied). Stored responses are replayed byte for byte,
 * and every response the app sends itself leaves through sendStored.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredResponse } from '../service/idempotent-write.js';
import type { WriteOutcome } from '../service/record-writes.js';
import { recordJson } from '../service/serialize.js';
import { etagOf } from '../util/etag.js';
import { httpDate } from '../util/http-date.js';
import { JSON_TYPE, PROBLEM_TYPE } from '../util/media-types.js';
import { preferReturn } from '../util/prefer.js';
import { type ReadOf, readCacheControl } from './cache-policy.js';

/** Send a stored response as it is. */
export function sendStored(reply: FastifyReply, stored: StoredResponse): FastifyReply {
  reply.code(stored.status);
  reply.headers(stored.headers);
  if (stored.status === 204 || stored.status === 304 || stored.body === '') return reply.send();
  // As bytes, so Fastify sends the media type exactly as RFC 9457 names it (it appends a charset to strings).
  if (stored.headers['content-type'] === PROBLEM_TYPE) return reply.send(Buffer.from(stored.body));
  return reply.send(stored.body);
}

/** Add names to the Vary header without dropping ones already there. */
export function addVary(reply: FastifyReply, ...names: string[]): void {
  const current = reply.getHeader('vary');
  if (current === undefined) {
    reply.header('Vary', names.join(', '));
    return;
  }
  const have = typeof current === 'string' && current !== '' ? current.split(',').map((s) => s.trim()) : [];
  for (const n of names) if (!have.some((h) => h.toLowerCase() === n.toLowerCase())) have.push(n);
  reply.header('Vary', have.join(', '));
}

const API_VARY = ['Accept', 'Authorization', 'Cookie'];
const API_VARY_HEADER = API_VARY.join(', ');

/** Headers every API answer varies on. */
export function varyApi(reply: FastifyReply): void {
  // Most answers have no Vary yet: one header set, no parsing.
  if (reply.getHeader('vary') === undefined) reply.header('vary', API_VARY_HEADER);
  else addVary(reply, ...API_VARY);
}

/** Cache-Control for a read: private when the answer depends on who asks (see cache-policy.ts). */
export function cacheControl(req: FastifyRequest, read?: ReadOf): string {
  return readCacheControl(req, read);
}

/** The canonical URL path of a record. */
export function recordPath(collection: string, id: string): string {
  return `/api/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`;
}

/** Headers describing a representation: validators and caching (`lastModified` when `updated` is already formatted). */
export function representationHeaders(
  req: FastifyRequest,
  etag: string,
  updated?: string,
  read?: ReadOf,
  lastModified = updated ? httpDate(updated) : undefined,
): Record<string, string> {
  const headers: Record<string, string> = { etag, 'cache-control': cacheControl(req, read) };
  if (lastModified) headers['last-modified'] = lastModified;
  return headers;
}

/** A write's outcome as a response, honouring `Prefer: return=minimal`. */
export function renderWrite(req: FastifyRequest, collection: string, outcome: WriteOutcome): StoredResponse {
  if (outcome.status === 204 || !outcome.record || !outcome.etag)
    return { status: 204, headers: {}, body: '' };
  const record = outcome.record;
  const headers = representationHeaders(req, outcome.etag, record.updated);
  if (outcome.status === 201) {
    const location = recordPath(collection, record.id);
    headers.location = location;
    headers['content-location'] = location;
  }
  if (preferReturn(String(req.headers.prefer ?? '')) === 'minimal') {
    headers['preference-applied'] = 'return=minimal';
    delete headers['content-location'];
    return { status: outcome.status === 201 ? 201 : 204, headers, body: '' };
  }
  headers['content-type'] = JSON_TYPE;
  return { status: outcome.status, headers, body: outcome.json ?? recordJson(record) };
}

/**
 * Date the response now and keep its Last-Modified no later than that Date
 * (RFC 9110 §8.8.2.1). Node's own Date header is a cached string that can
 * lag a second behind a record written just now, and a record stamped by a
 * clock running ahead (another node, a test clock) would otherwise claim a
 * change from the future.
 */
export function originate(reply: FastifyReply, response: StoredResponse): StoredResponse {
  const lastModified = response.headers['last-modified'];
  if (lastModified === undefined) return response;
  const now = Date.now();
  const modified = Date.parse(lastModified);
  // Node's Date lags at most the second its timer runs late: older changes need nothing more.
  if (modified < now - 2000) return response;
  const date = dateHeader(now);
  reply.header('Date', date);
  // Both are whole seconds once formatted: compare at that precision.
  if (modified <= now - (now % 1000)) return response;
  return { ...response, headers: { ...response.headers, 'last-modified': date } };
}

let cachedSecond = -1;
let cachedDate = '';

/** The IMF-fixdate of a time, formatted once per second (every response needs one). */
function dateHeader(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(second * 1000).toUTCString();
  }
  return cachedDate;
}

/** A JSON body for a read, with its strong ETag. */
export function jsonRepresentation(value: unknown): { body: string; etag: string } {
  const body = JSON.stringify(value);
  return { body, etag: etagOf(body) };
}
