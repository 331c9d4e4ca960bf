/**
 * Components every document shares: the RFC 9457 Problem schema, the JSON
 * Patch schema, response headers, problem responses and the security schemes.
 * Shared parameters are in parameters.ts.
 */
import { PATCH_TYPES, PROBLEM_TYPE, WRITE_TYPES } from '../../util/media-types.js';
import { FIELD_ISSUES } from '../../util/problem.js';
import { type Json, ref } from './names.js';

/** The name of the session cookie. */
export const SESSION_COOKIE = 'methodical_session';

const str = (description: string, extra: Json = {}): Json => ({ type: 'string', description, ...extra });

const problemSchema: Json = {
  type: 'object',
  description:
    'RFC 9457 problem details. Extension members may appear, e.g. `position` (0-based offset of a ' +
    'filter syntax error), the index of the failing request of a batch, or `limit` for a request over a bound.',
  required: ['type', 'title', 'status'],
  properties: {
    type: str('A URI identifying the problem type; `about:blank` when the status says it all.', {
      format: 'uri-reference',
      default: 'about:blank',
    }),
    title: str('Short summary: the status phrase for `about:blank`, else fixed per type.'),
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status code.' },
    detail: str('What happened in this request.'),
    // Not `format: uri-reference`: it is the path as the client sent it, which may be malformed (the 400 says so).
    instance: str('The request path, as sent.'),
    errors: {
      type: 'array',
      items: ref('schemas', 'FieldError'),
      description: 'One entry per field problem.',
    },
    position: { type: 'integer', minimum: 0, description: 'Filter errors: where parsing failed.' },
    operation: { type: 'integer', minimum: 0, description: 'JSON Patch errors: the failing operation.' },
    limit: str(
      'A request over a bound: which one, by its config key (e.g. `limits.batch`) where it has one.',
    ),
  },
  additionalProperties: true,
};

const fieldErrorSchema: Json = {
  type: 'object',
  required: ['field', 'code', 'message'],
  properties: {
    field: str('The field (or query parameter) at fault.'),
    code: str('A stable code from the field-issue catalogue, e.g. `required`, `max`, `unknown_field`.', {
      enum: Object.keys(FIELD_ISSUES),
    }),
    message: str('A readable explanation.'),
  },
  additionalProperties: false,
};

const pointer: Json = str('A JSON Pointer (RFC 6901).', { pattern: '^(/([^~/]|~[01])*)*$' });

const patchOperationSchema: Json = {
  description: 'One RFC 6902 operation.',
  oneOf: [
    {
      type: 'object',
      required: ['op', 'path', 'value'],
      properties: { op: { type: 'string', enum: ['add', 'replace', 'test'] }, path: pointer, value: {} },
      additionalProperties: false,
    },
    {
      type: 'object',
      required: ['op', 'path'],
      properties: { op: { type: 'string', const: 'remove' }, path: pointer },
      additionalProperties: false,
    },
    {
      type: 'object',
      required: ['op', 'from', 'path'],
      properties: { op: { type: 'string', enum: ['move', 'copy'] }, from: pointer, path: pointer },
      additionalProperties: false,
    },
  ],
};

/** Schemas that do not depend on the collections. */
export function sharedSchemas(): Json {
  return {
    Problem: problemSchema,
    FieldError: fieldErrorSchema,
    JsonPatchOperation: patchOperationSchema,
    JsonPatch: {
      type: 'array',
      description: 'RFC 6902 operations, applied atomically: one failure changes nothing.',
      items: ref('schemas', 'JsonPatchOperation'),
    },
  };
}

const header = (description: string, schema: Json = { type: 'string' }): Json => ({ description, schema });

/** Response headers, named as sent. */
export function sharedHeaders(): Json {
  return {
    ETag: header('Strong entity tag of the representation; send it back in If-Match or If-None-Match.'),
    'Last-Modified': header('When the representation last changed (IMF-fixdate).'),
    Location: header('URL of the created record (or, on 303, where to go next).', {
      type: 'string',
      format: 'uri-reference',
    }),
    'Content-Location': header('Equals Location when the body is the created record.', {
      type: 'string',
      format: 'uri-reference',
    }),
    Link: header('RFC 8288 pagination links: rel="first", "prev", "next", "last".'),
    'Idempotent-Replayed': header(
      '`true` when this response replays the first one for the Idempotency-Key.',
      {
        type: 'string',
        enum: ['true'],
      },
    ),
    'Preference-Applied': header('`return=minimal` when Prefer asked for no body.', {
      type: 'string',
      enum: ['return=minimal', 'return=representation'],
    }),
    Allow: header('The methods this route supports.'),
    'Accept-Patch': header('The media types PATCH takes.', { type: 'string', example: PATCH_TYPES }),
    'Accept-Post': header('The media types POST takes.', { type: 'string', example: WRITE_TYPES }),
    'Retry-After': header('Seconds to wait before retrying.', { type: 'integer', minimum: 0 }),
    'WWW-Authenticate': header('The authentication scheme, `Bearer realm="methodical"`.'),
    Vary: header('Request headers the body depends on (Accept, Authorization, Cookie, Origin).'),
    'Cache-Control': header(
      '`no-cache` for public reads (or `public` with max-age, s-maxage and stale-while-revalidate from the ' +
        "collection's `cache` setting), `private, no-cache` when the caller matters, `no-store` for answers " +
        'no cache may keep.',
    ),
    'Content-Range': header('The byte range sent (206), or `bytes */size` (416).'),
    'Accept-Ranges': header('`bytes`: Range requests are supported.'),
    'Content-Disposition': header(
      'RFC 6266: `attachment` (or `inline` for images) with filename and filename*.',
    ),
    'Set-Cookie': header(
      `The \`${SESSION_COOKIE}\` session cookie (HttpOnly, SameSite=Lax, Path=/); on any answer to a request ` +
        'whose session cookie is no longer valid, that cookie cleared.',
    ),
  };
}

const PROBLEM_RESPONSES: Record<number, [name: string, description: string, headers?: string[]]> = {
  400: ['BadRequest', 'The request is malformed: bad JSON, query parameter, filter, id or header.'],
  401: [
    'Unauthorized',
    'Not signed in, or the credentials are wrong (any request with a bad bearer token or session); ' +
      'a session cookie that is no longer valid is cleared.',
    ['WWW-Authenticate', 'Set-Cookie'],
  ],
  403: [
    'Forbidden',
    'The rules refuse this caller, or a cookie-authenticated unsafe request came from an origin that is ' +
      'not the server’s own (publicUrl, or the forwarded host with trustProxy) nor one of trustedOrigins.',
  ],
  404: ['NotFound', 'No such record (or the caller may not view it).'],
  405: ['MethodNotAllowed', 'The route does not support this method.', ['Allow']],
  406: ['NotAcceptable', 'Accept rules out every representation offered.'],
  409: [
    'Conflict',
    'Conflicts with the current state: unique value taken, id mismatch, key in use, failed test, or (DELETE) ' +
      'records of another collection still point to this one (onDelete `restrict`), or a second record in a ' +
      '`single` collection (`single-record`: PUT or PATCH the one there). While a request with the same ' +
      'Idempotency-Key is still running, Retry-After says when to try again.',
    ['Idempotent-Replayed', 'Retry-After'],
  ],
  412: [
    'PreconditionFailed',
    'A precondition (If-Match, If-None-Match, If-Unmodified-Since) failed; nothing changed.',
    ['Idempotent-Replayed'],
  ],
  413: [
    'ContentTooLarge',
    'The body, a file, a form, a batch or a JSON Patch is larger than its limit; `limit` names it.',
  ],
  415: ['UnsupportedMediaType', 'The route does not take this body media type.'],
  416: ['RangeNotSatisfiable', 'The Range lies outside the file.', ['Content-Range']],
  422: [
    'UnprocessableContent',
    'Well-formed but invalid: one `errors` entry per field problem; or a result over a limit ' +
      '(a record larger than limits.json, a JSON Patch past its bounds), with `limit` naming it.',
  ],
  428: [
    'PreconditionRequired',
    'This collection requires If-Match on changes; GET the record and resend with its ETag.',
  ],
  429: ['TooManyRequests', 'Too many attempts; wait for Retry-After.', ['Retry-After']],
  500: ['InternalServerError', 'A failure inside the server; the problem carries an id found in the log.'],
  503: [
    'ServiceUnavailable',
    'The server is at its connection limit, or the database cannot take the request now (it does not ' +
      'answer, has no free connection, or broke a deadlock); from /healthz: it or the files cannot take writes.',
    ['Retry-After'],
  ],
  507: [
    'InsufficientStorage',
    'The disk is full: nothing was written (not even the Idempotency-Key), so a retry is safe.',
    ['Retry-After'],
  ],
};

/** Headers a problem response may carry whatever its status. */
const PROBLEM_HEADERS = ['Vary', 'Cache-Control'];

function problemResponse(description: string, headers: readonly string[] = []): Json {
  const out: Json = { description, content: { [PROBLEM_TYPE]: { schema: ref('schemas', 'Problem') } } };
  out.headers = headerRefs(...headers, ...PROBLEM_HEADERS);
  return out;
}

/** Reusable responses: one problem response per error status, plus 304. */
export function sharedResponses(): Json {
  const out: Json = {};
  for (const [status, [name, description, headers]] of Object.entries(PROBLEM_RESPONSES)) {
    const response = problemResponse(description, headers);
    const must = REQUIRED_PROBLEM_HEADERS[Number(status)];
    if (must) response.headers = required(response.headers as Json, ...must);
    out[name] = response;
  }
  out.UnsupportedPostMediaType = problemResponse(
    `${PROBLEM_RESPONSES[415][1]} Accept-Post lists those it takes.`,
    ['Accept-Post'],
  );
  out.UnsupportedPatchMediaType = problemResponse(
    `${PROBLEM_RESPONSES[415][1]} Accept-Patch lists those it takes.`,
    ['Accept-Patch'],
  );
  const handler = problemResponse(
    'An error the handler answered: a problem (`ctx.problem`, a rule, a failed write), or a body of its own ' +
      'with that status; a browser gets the error page.',
    ['WWW-Authenticate', 'Allow', 'Retry-After', 'Idempotent-Replayed'],
  );
  handler.content = { ...(handler.content as Json), 'application/json': {}, 'text/html': {}, '*/*': {} };
  out.HandlerAnswer = handler;
  out.NotModified = {
    description: 'Not modified: the ETag matches (If-None-Match) or no change since If-Modified-Since.',
    headers: headerRefs('ETag', 'Last-Modified', 'Cache-Control', 'Vary', 'Set-Cookie'),
  };
  return out;
}

/** References to problem responses by status; `overrides` picks another component for a status. */
export function problems(statuses: Iterable<number>, overrides: Record<number, string> = {}): Json {
  const out: Json = {};
  for (const status of [...new Set(statuses)].sort((a, b) => a - b)) {
    const name = overrides[status] ?? PROBLEM_RESPONSES[status]?.[0];
    if (name === undefined) throw new Error(`no problem response for status ${status}`);
    out[String(status)] = ref('responses', name);
  }
  return out;
}

/** Header objects with `names` made required: inline copies, since a $ref cannot say it. */
export function required(headers: Json, ...names: string[]): Json {
  const shared = sharedHeaders();
  const out: Json = { ...headers };
  for (const name of names) out[name] = { ...(shared[name] as Json), required: true };
  return out;
}

/** Headers each problem status always sends. */
const REQUIRED_PROBLEM_HEADERS: Record<number, string[]> = {
  401: ['WWW-Authenticate'],
  405: ['Allow'],
  416: ['Content-Range'],
  429: ['Retry-After'],
  503: ['Retry-After'],
};

/** `{ Name: {$ref} }` for response headers. */
export function headerRefs(...names: string[]): Json {
  return Object.fromEntries(names.map((name) => [name, ref('headers', name)]));
}

/** Bearer tokens from /api/auth/login, or the session cookie it sets. */
export function securitySchemes(): Json {
  return {
    bearer: { type: 'http', scheme: 'bearer', description: 'The `token` from POST /api/auth/login.' },
    cookie: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description: 'The session cookie set by login. Unsafe requests must come from the same origin.',
    },
  };
}
