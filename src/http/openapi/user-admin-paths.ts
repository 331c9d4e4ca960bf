/** `/api/auth/setup` (the first administrator) and `/api/users/{id}/sessions` (sign out everywhere). */
import { SIGNED_IN } from './access.js';
import { registerSchema, userSchemaName } from './auth-paths.js';
import { headerRefs, problems } from './components.js';
import { type Json, type RouteDoc, ref } from './names.js';
import { recordCreated, seeOther } from './responses.js';

const SETUP = '/api/auth/setup';
const SESSIONS = '/api/users/{id}/sessions';

/** Register's body plus the token of the setup link; `admin` is implied. */
function setupSchema(register: Json): Json {
  return {
    ...register,
    title: 'setup',
    description:
      'The token is the last part of the setup link (`/_/#/setup/TOKEN`) the server prints on stderr when it ' +
      'starts without an administrator. Emails are stored lowercased. Unknown fields: 422.',
    properties: {
      token: { type: 'string', description: 'From the setup link; works once, for 24 hours.' },
      ...(register.properties as Json),
    },
    required: ['token', ...(register.required as string[])],
  };
}

/** The doc of `POST /api/auth/setup`. */
export const setupDoc: RouteDoc = (ctx) => {
  const user = userSchemaName(ctx.users);
  const schema = setupSchema(registerSchema(ctx.users));
  const created = recordCreated(user);
  return {
    [SETUP]: {
      post: {
        operationId: 'setupFirstAdmin',
        tags: ['auth'],
        summary: 'Create the first administrator',
        description:
          'Works only while no user is an administrator, with the one-time token from the link ' +
          '`methodical serve` prints then (valid for 24 hours; a new one at each start). Creates the user with ' +
          '`admin: true` and signs them in (the session cookie), in one transaction that no concurrent setup can ' +
          'interleave with. Attempts count against the login throttle of the caller’s address (429). ' +
          '`methodical user create --admin` does the same from the shell.',
        security: [],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema },
            'application/x-www-form-urlencoded': { schema },
            'multipart/form-data': { schema },
          },
        },
        responses: {
          201: {
            ...created,
            description: 'The administrator, created and signed in (the session cookie is set).',
            headers: { ...(created.headers as Json), ...headerRefs('Set-Cookie') },
          },
          303: {
            ...seeOther(),
            description: 'A form with Accept: text/html: created and signed in, go on (to /_/ by default).',
            headers: { ...(seeOther().headers as Json), ...headerRefs('Set-Cookie') },
          },
          ...problems([400, 403, 406, 409, 413, 415, 422, 429, 500, 507]),
        },
      },
    },
  };
};

/** The doc of `DELETE /api/users/{id}/sessions`. */
export const userSessionsDoc: RouteDoc = () => ({
  [SESSIONS]: {
    parameters: [ref('parameters', 'RecordId')],
    delete: {
      operationId: 'signOutEverywhere',
      tags: ['users'],
      summary: 'Sign a user out everywhere',
      description:
        'Revokes every session of the user (their bearer tokens and cookies then answer 401). Admins may ' +
        'sign anyone out; a user may sign themself out, which ends the calling session too (its cookie is ' +
        'cleared). Anyone else gets the 404 of a user they may not view, or 403 where the rules let them view it.',
      security: [...SIGNED_IN],
      responses: {
        204: { description: 'Signed out everywhere.', headers: headerRefs('Set-Cookie', 'Cache-Control') },
        ...problems([401, 403, 404, 500]),
      },
    },
  },
});
