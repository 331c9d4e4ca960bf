/**
 * Request body parsing. JSON types are read as bytes, checked to be UTF-8,
 * parsed with plain JSON.parse (own `__proto__` keys stay data, later
 * rejected as unknown fields) and bounded in depth. Any other type is not
 * read: the route answers 415 with the types it does take.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH } from '../../util/json-size.js';
import { JSON_BODY_TYPES, MEDIA } from '../../util/media-types.js';
import { overLimit, Problem } from '../../util/problem.js';

/** Marks a body whose media type no parser took. */
export const UNREAD_BODY = Symbol('unread body');

/** The body of a request whose media type was not read (the route answers 415). */
export interface UnreadBody {
  [UNREAD_BODY]: true;
}

export function isUnread(body: unknown): body is UnreadBody {
  return typeof body === 'object' && body !== null && UNREAD_BODY in body;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Deepest nesting of arrays/objects, walked without recursion. */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** Parse JSON bytes into a value, or throw a 400 that says what is wrong. */
export function parseJsonBody(bytes: Buffer): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new Problem('malformedJson', 'The request body is not valid UTF-8.');
  }
  if (text.trim() === '')
    throw new Problem('malformedJson', 'The request body is empty; send a JSON document.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof SyntaxError ? error.message : 'it could not be parsed';
    throw new Problem('malformedJson', `The request body is not valid JSON: ${message}.`);
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    throw overLimit(
      'malformedJson',
      `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep (maxJsonDepth, a fixed bound).`,
      'maxJsonDepth',
    );
  }
  return value;
}

/** An urlencoded form body: every name with all its values, in order. */
export interface FormBody {
  [FORM_BODY]: true;
  fields: Record<string, string[]>;
  /** The text looked like JSON (`curl -d '{…}'` labels JSON as a form). */
  jsonLike: boolean;
}

export const FORM_BODY = Symbol('form body');

export function isForm(body: unknown): body is FormBody {
  return typeof body === 'object' && body !== null && FORM_BODY in body;
}

/** Append a value under a form name (forms repeat names for multiple values). */
export function addValue(fields: Record<string, string[]>, name: string, value: string): void {
  const values = fields[name];
  if (values) values.push(value);
  else fields[name] = [value];
}

/** Whether an urlencoded text has more than `max` fields (empty pieces between `&`s are none). */
function fieldsExceed(text: string, max: number): boolean {
  let count = 0;
  for (let start = 0; start <= text.length; ) {
    const amp = text.indexOf('&', start);
    const end = amp === -1 ? text.length : amp;
    if (end > start && ++count > max) return true;
    start = end + 1;
  }
  return false;
}

/** Parse application/x-www-form-urlencoded bytes (UTF-8) into name → values, at most `maxFields` of them. */
export function parseFormBody(bytes: Buffer, maxFields = Number.POSITIVE_INFINITY): FormBody {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new Problem('badRequest', 'The form body is not valid UTF-8.');
  }
  // Counted before parsing, so a body of a hundred thousand `a&` costs a scan, not a hundred thousand fields.
  if (fieldsExceed(text, maxFields)) {
    throw overLimit(
      'payloadTooLarge',
      `The form has more than the ${maxFields} fields a form may hold (limits.parts).`,
      'limits.parts',
    );
  }
  const start = text.trimStart()[0];
  const fields: Record<string, string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) addValue(fields, name, value);
  return { [FORM_BODY]: true, fields, jsonLike: start === '{' || start === '[' };
}

/** A Fastify body parser over a function of the body's bytes (which throws a problem when it cannot). */
function bytesParser(parse: (bytes: Buffer) => unknown) {
  return (_req: unknown, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
    try {
      done(null, parse(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
}

export interface BodyOptions {
  /** Most fields an urlencoded form may hold (limits.parts, as for multipart forms). */
  formFields?: number;
}

/** Install the parsers. */
export function bodyPlugin(app: FastifyInstance, options: BodyOptions = {}): void {
  const formFields = options.formFields ?? Number.POSITIVE_INFINITY;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    MEDIA.form,
    { parseAs: 'buffer' },
    bytesParser((bytes) => parseFormBody(bytes, formFields)),
  );
  app.addContentTypeParser([...JSON_BODY_TYPES], { parseAs: 'buffer' }, bytesParser(parseJsonBody));
  app.addContentTypeParser('*', (_req, _payload, done) => {
    done(null, { [UNREAD_BODY]: true } satisfies UnreadBody);
  });
}
