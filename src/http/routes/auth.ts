/** `/api/auth/register`, `/setup` (the first admin), `/login`, `/logout`, `/me`. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NewSession } from '../../service/auth.js';
import type { StoredResponse } from '../../service/idempotent-write.js';
import type { AttemptOutcome } from '../../service/login-throttle.js';
import type { WriteOutcome } from '../../service/record-writes.js';
import { prefersHtml } from '../../util/accept.js';
import { JSON_TYPE, WRITE_TYPES } from '../../util/media-types.js';
import { isProblem } from '../../util/problem.js';
import { evaluateRead } from '../conditional.js';
import { redirectTarget } from '../form-respond.js';
import { idempotencyClaim } from '../idempotency-claim.js';
import { type FormLimits, readPlainForm } from '../multipart-form.js';
import { requireAcceptable } from '../negotiate.js';
import { authDoc } from '../openapi/auth-paths.js';
import { setupDoc } from '../openapi/user-admin-paths.js';
import { cookieOptions, SESSION_COOKIE } from '../plugins/auth.js';
import { objectBody } from '../request-body.js';
import { jsonRepresentation, renderWrite, representationHeaders, sendStored, varyApi } from '../respond.js';
import { type FormRoute, route } from '../route-table.js';
import type { Services } from '../services.js';
import { answerWrite } from '../write-answer.js';

/** What an auth form sent: its fields as a body, and where a browser goes afterwards. */
interface AuthInput {
  body: Record<string, unknown>;
  form: boolean;
  redirect?: string;
  idempotencyKey?: string;
}

/** A JSON object or a form (first value of each field; `coerce` turns form fields into typed values). */
async function authInput(
  req: FastifyRequest,
  limits: FormLimits,
  coerce: (fields: Record<string, string[]>) => Record<string, unknown> = firstValues,
): Promise<AuthInput> {
  const fields = await readPlainForm(req, limits);
  if (!fields) return { body: objectBody(req, WRITE_TYPES), form: false };
  const { password, _redirect, _idempotency_key, ...rest } = fields;
  const body = coerce(rest);
  if (password) body.password = password[0];
  return { body, form: true, redirect: _redirect?.[0], idempotencyKey: _idempotency_key?.[0] };
}

function firstValues(fields: Record<string, string[]>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(fields)) body[name] = values[0];
  return body;
}

/** 303 for a browser form (Post/Redirect/Get), or undefined for an API client; `{id}` in `_redirect` is `id`. */
function formRedirect(
  req: FastifyRequest,
  input: AuthInput,
  fallback: string,
  id?: string,
): StoredResponse | undefined {
  if (!input.form || !prefersHtml(req.headers.accept)) return undefined;
  return {
    status: 303,
    headers: { location: redirectTarget(input.redirect, id) ?? fallback, 'cache-control': 'no-store' },
    body: '',
  };
}

export function authRoutes(app: FastifyInstance, services: Services, forms: FormRoute[]): void {
  const { auth } = services;
  const publicUrl = services.config.publicUrl;
  const users = services.schema.get('users');

  route(
    app,
    '/api/auth/register',
    {
      async POST(req: FastifyRequest, reply: FastifyReply) {
        requireAcceptable(req, true);
        const input = await authInput(req, services.config.limits, (fields) =>
          users ? users.fromForm(fields) : firstValues(fields),
        );
        const claim = idempotencyClaim(req, input.body, false, input.idempotencyKey);
        const registration = await auth.prepareRegistration(req.ctx, input.body);
        // A form is a browser: it is signed in as it registers, as after a login.
        const opened: { session?: NewSession } = {};
        return answerWrite(services, req, reply, {
          claim,
          async write(scope) {
            let outcome: WriteOutcome;
            if (input.form) {
              const signedIn = await auth.registerAndSignIn(registration, scope);
              outcome = signedIn.outcome;
              opened.session = signedIn.session;
            } else outcome = await auth.register(registration, scope);
            const user = outcome.record;
            if (!user || !outcome.etag) throw new Error('registration produced no user');
            // A create like any other: Location, ETag, and `Prefer: return=minimal` honoured.
            return formRedirect(req, input, '/', user.id) ?? renderWrite(req, 'users', outcome);
          },
          beforeSend() {
            // Never part of the stored answer: a replay must not hand out the first request's session.
            const { session } = opened;
            if (session)
              reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(req, publicUrl, session.maxAge));
          },
        });
      },
    },
    { acceptPost: WRITE_TYPES, forms, doc: authDoc('/api/auth/register') },
  );

  route(
    app,
    '/api/auth/setup',
    {
      async POST(req: FastifyRequest, reply: FastifyReply) {
        requireAcceptable(req, true);
        const input = await authInput(req, services.config.limits);
        // Counted like a login from this address: a token cannot be guessed, and trying costs a 429 soon.
        const attempt = await services.setup.begin(req.ctx);
        let outcome: AttemptOutcome = 'abandoned';
        const opened: { session?: NewSession } = {};
        try {
          const prepared = await services.setup.prepare(input.body);
          return await answerWrite(services, req, reply, {
            async write(scope) {
              const done = await services.setup.complete(prepared, scope);
              opened.session = done.session;
              const user = done.outcome.record;
              if (!user) throw new Error('setup produced no user');
              return formRedirect(req, input, '/_/', user.id) ?? renderWrite(req, 'users', done.outcome);
            },
            beforeSend() {
              outcome = 'succeeded';
              const { session } = opened;
              if (session)
                reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(req, publicUrl, session.maxAge));
            },
          });
        } catch (error) {
          if (isProblem(error) && error.code === 'forbidden') outcome = 'failed';
          throw error;
        } finally {
          await attempt.settle(outcome);
        }
      },
    },
    { acceptPost: WRITE_TYPES, forms, doc: setupDoc },
  );

  route(
    app,
    '/api/auth/login',
    {
      async POST(req: FastifyRequest, reply: FastifyReply) {
        requireAcceptable(req, true);
        const input = await authInput(req, services.config.limits);
        const result = await auth.login(req.ctx, input.body);
        reply.setCookie(SESSION_COOKIE, result.token, cookieOptions(req, publicUrl, result.maxAge));
        reply.header('cache-control', 'no-store');
        varyApi(reply);
        const redirect = formRedirect(req, input, '/');
        if (redirect) return sendStored(reply, redirect);
        return reply.type(JSON_TYPE).send(JSON.stringify({ token: result.token, user: result.user }));
      },
    },
    { acceptPost: WRITE_TYPES, forms, doc: authDoc('/api/auth/login') },
  );

  route(
    app,
    '/api/auth/logout',
    {
      async POST(req: FastifyRequest, reply: FastifyReply) {
        await auth.logout(req.ctx);
        reply.clearCookie(SESSION_COOKIE, cookieOptions(req, publicUrl, 0));
        reply.header('cache-control', 'no-store');
        const fields = await readPlainForm(req, services.config.limits);
        const input: AuthInput = { body: {}, form: fields !== undefined, redirect: fields?._redirect?.[0] };
        const redirect = formRedirect(req, input, '/');
        if (redirect) return sendStored(reply, redirect);
        return reply.code(204).send();
      },
    },
    { forms, doc: authDoc('/api/auth/logout') },
  );

  route(
    app,
    '/api/auth/me',
    {
      async GET(req: FastifyRequest, reply: FastifyReply) {
        requireAcceptable(req);
        const user = await auth.me(req.ctx);
        const { body, etag } = jsonRepresentation(user);
        varyApi(reply);
        const headers = representationHeaders(req, etag, user.updated);
        if (evaluateRead(req.headers, etag, user.updated) === 'not-modified') {
          return sendStored(reply, { status: 304, headers, body: '' });
        }
        return sendStored(reply, { status: 200, headers: { ...headers, 'content-type': JSON_TYPE }, body });
      },
    },
    { doc: authDoc('/api/auth/me') },
  );
}
