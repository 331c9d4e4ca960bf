/** `/api/auth/register`, `/login`, `/logout` and `/me`, with their body schemas. */
import type { Config } from '../../config/types.js';
import { SIGNED_IN } from './access.js';
import { headerRefs, problems, required } from './components.js';
import { type CollectionDoc, type Json, type RouteDoc, ref, schemaNames } from './names.js';
import { notModified, recordCreated, recordOk, seeOther } from './responses.js';

/** Fields register never takes from a client. */
const NOT_REGISTERED = new Set(['id', 'created', 'updated', 'admin']);

const FALLBACK_USER: Json = {
  title: 'user',
  type: 'object',
  required: ['id', 'created', 'updated', 'email'],
  properties: {
    id: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
    email: { type: 'string', format: 'email' },
    name: { type: ['string', 'null'] },
    admin: { type: 'boolean' },
  },
};

const password: Json = { type: 'string', minLength: 8, maxLength: 256, writeOnly: true };

export function registerSchema(users: CollectionDoc | undefined): Json {
  const input = users?.compiled.jsonSchema('input');
  const props: Json = { email: { type: 'string', format: 'email' }, name: { type: ['string', 'null'] } };
  for (const [name, schema] of Object.entries((input?.properties ?? {}) as Json)) {
    if (!NOT_REGISTERED.has(name)) props[name] = schema;
  }
  const required = new Set(['email', 'password']);
  for (const name of (input?.required ?? []) as string[]) if (!NOT_REGISTERED.has(name)) required.add(name);
  return {
    title: 'register',
    type: 'object',
    description: 'Emails are stored lowercased. Unknown fields: 422.',
    properties: { ...props, password },
    required: [...required],
    additionalProperties: false,
  };
}

/** The schemas auth needs: register and login bodies, the login result (and a user schema without `users`). */
export function authSchemas(users: CollectionDoc | undefined): Json {
  const out: Json = {
    RegisterInput: registerSchema(users),
    LoginInput: {
      type: 'object',
      required: ['email', 'password'],
      properties: { email: { type: 'string', format: 'email' }, password },
      additionalProperties: false,
    },
    LoginResult: {
      type: 'object',
      required: ['token', 'user'],
      properties: {
        token: { type: 'string', description: 'Send as `Authorization: Bearer <token>`.' },
        user: ref('schemas', userSchemaName(users)),
      },
    },
  };
  if (users === undefined) out.User = FALLBACK_USER;
  return out;
}

export function userSchemaName(users: CollectionDoc | undefined): string {
  return users === undefined ? 'User' : schemaNames(users.base).record;
}

const json = (schema: string): Json => ({ 'application/json': { schema: ref('schemas', schema) } });

/** JSON, or the same fields as an HTML form (a form may add `_redirect`, where the browser goes next). */
const formOrJson = (schema: string): Json => ({
  ...json(schema),
  'application/x-www-form-urlencoded': { schema: ref('schemas', schema) },
  'multipart/form-data': { schema: ref('schemas', schema) },
});

/** The auth paths, keyed by OpenAPI path. */
export function authPaths(users: CollectionDoc | undefined, config: Config): Json {
  const user = userSchemaName(users);
  const tags = ['auth'];
  const throttle = config.auth.loginThrottle;
  return {
    '/api/auth/register': {
      post: {
        operationId: 'register',
        tags,
        summary: 'Create a user account',
        description: 'Passwords are 8 to 256 characters, hashed with Argon2id. An email already taken: 409.',
        security: [],
        parameters: [ref('parameters', 'IdempotencyKey')],
        requestBody: { required: true, content: formOrJson('RegisterInput') },
        responses: {
          201: {
            ...recordCreated(user),
            description:
              'Registered. Location names the new user; a form registration (without Accept: text/html) is also ' +
              'signed in, with the session cookie.',
            headers: { ...(recordCreated(user).headers as Json), ...headerRefs('Set-Cookie') },
          },
          303: {
            ...seeOther(),
            description:
              'A form with Accept: text/html: registered and signed in (the session cookie is set).',
            headers: { ...(seeOther().headers as Json), ...headerRefs('Set-Cookie') },
          },
          ...problems([400, 403, 406, 409, 413, 415, 422, 500, 507]),
        },
      },
    },
    '/api/auth/login': {
      post: {
        operationId: 'login',
        tags,
        summary: 'Sign in',
        description:
          'Answers a bearer token and sets the session cookie. A wrong email or password is the same 401. ' +
          `After ${throttle.perEmail} failures for one email from one address, or ${throttle.perAddress} from one ` +
          `address, within ${throttle.windowSeconds} seconds: 429 with Retry-After from that address. After ` +
          `${throttle.perEmailTotal} failures for one email from anywhere, each address may try it once per ` +
          `${throttle.slowDownSeconds} seconds.`,
        security: [],
        requestBody: { required: true, content: formOrJson('LoginInput') },
        responses: {
          200: {
            description: 'Signed in.',
            headers: required(headerRefs('Set-Cookie', 'Cache-Control', 'Vary'), 'Set-Cookie'),
            content: json('LoginResult'),
          },
          303: { ...seeOther(), description: 'A form with Accept: text/html: signed in, go on.' },
          ...problems([400, 401, 403, 406, 413, 415, 422, 429, 500]),
        },
      },
    },
    '/api/auth/logout': {
      post: {
        operationId: 'logout',
        tags,
        summary: 'Sign out',
        description: 'Revokes the session server-side and clears the cookie.',
        security: [...SIGNED_IN],
        responses: {
          204: { description: 'Signed out.', headers: headerRefs('Set-Cookie', 'Cache-Control') },
          303: { ...seeOther(), description: 'A form with Accept: text/html: signed out, go on.' },
          ...problems([401, 403, 500]),
        },
      },
    },
    '/api/auth/me': {
      get: {
        operationId: 'getCurrentUser',
        tags,
        summary: 'The signed-in user',
        security: [...SIGNED_IN],
        parameters: [ref('parameters', 'IfNoneMatch')],
        responses: {
          200: recordOk(user, 'The caller.'),
          304: notModified(),
          ...problems([401, 406, 500]),
        },
      },
    },
  };
}

/** The doc of one auth route (`/api/auth/login`, …), declared beside it in routes/auth.ts. */
export function authDoc(path: string): RouteDoc {
  return (ctx) => ({ [path]: authPaths(ctx.users, ctx.config)[path] as Json });
}
