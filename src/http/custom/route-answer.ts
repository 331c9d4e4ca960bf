/**
 * What a custom route's handler returned, as a response: `ctx.html` is a
 * page, a RouteResponse (`ctx.json`, `ctx.redirect`) says its own status
 * and headers, undefined is 204 and anything else is JSON.
 */
import type { RouteResponse } from '../../config/app-types.js';
import type { StoredResponse } from '../../service/idempotent-write.js';
import { isHtml } from '../../util/html-template.js';
import { isPlainObject } from '../../util/is-plain-object.js';
import { HTML_TYPE, JSON_TYPE } from '../../util/media-types.js';

/** Headers the server sets itself from the body it sends. */
const OWN_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection']);

const RESPONSE_KEYS = ['body', 'headers', 'status'];

/** A RouteResponse made by ctx.json or ctx.redirect. */
export function routeResponse(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: unknown,
): RouteResponse {
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new Error(`a route's answer needs a final status from 200 to 599; found ${String(status)}`);
  }
  return Object.freeze({ status, headers: Object.freeze({ ...headers }), body });
}

/** A returned object of exactly `{ status, headers, body }` is a RouteResponse (what ctx.json and ctx.redirect make). */
function isRouteResponse(value: unknown): value is RouteResponse {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value).sort();
  const { status, headers } = value as Record<string, unknown>;
  return (
    keys.length === RESPONSE_KEYS.length &&
    keys.every((k, i) => k === RESPONSE_KEYS[i]) &&
    typeof status === 'number' &&
    headers !== null &&
    typeof headers === 'object'
  );
}

function json(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error(`a route's answer cannot be sent as JSON: ${typeof value}`);
  return text;
}

/** A page or a JSON body with its media type; a string with a Content-Type of its own goes as it is. */
function bodyOf(body: unknown, type: string | undefined): { body: string; type: string } {
  if (isHtml(body)) return { body: body.html, type: type ?? HTML_TYPE };
  if (typeof body === 'string' && type !== undefined) return { body, type };
  return { body: json(body), type: type ?? JSON_TYPE };
}

function fromRouteResponse(answer: RouteResponse): StoredResponse {
  const { status } = routeResponse(answer.status, {}, undefined);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    const key = name.toLowerCase();
    if (!OWN_HEADERS.has(key)) headers[key] = String(value);
  }
  if (status === 204 || status === 304 || answer.body === undefined) {
    delete headers['content-type'];
    return { status, headers, body: '' };
  }
  const sent = bodyOf(answer.body, headers['content-type']);
  headers['content-type'] = sent.type;
  return { status, headers, body: sent.body };
}

/** The response for a handler's return value. */
export function renderAnswer(result: unknown): StoredResponse {
  if (result === undefined) return { status: 204, headers: {}, body: '' };
  if (isRouteResponse(result)) return fromRouteResponse(result);
  const sent = bodyOf(result, undefined);
  return { status: 200, headers: { 'content-type': sent.type }, body: sent.body };
}
