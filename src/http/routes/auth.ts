/** `/api/auth/register`, `/login`, `/logout`, `/me`. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../../service/auth.js';
import { recordJson } from '../../service/serialize.js';
import { evaluateRead } from '../conditional.js';
import { cookieOptions, SESSION_COOKIE } from '../plugins/auth.js';
import { renderProblem, sendStored } from '../plugins/problem.js';
import { idempotencyClaim, objectBody, requireAcceptable } from '../request.js';
import { JSON_TYPE, jsonRepresentation, recordPath, representationHeaders } from '../respond.js';
import { route } from '../route-table.js';
import type { Services } from '../services.js';
import { varyApi } from './records.js';

export function authRoutes(app: FastifyInstance, services: Services, auth: AuthService): void {
  const publicUrl = services.config.publicUrl;

  route(
    app,
    '/api/auth/register',
    {
      async POST(req: FastifyRequest, reply: FastifyReply) {
        requireAcceptable(req);
        const body = objectBody(req);
        const claim = idempotencyClaim(req, body, false);
        const registration = await auth.prepareRegistration(req.ctx, body);
        const { response, replayed } = await services.runner.run(
          claim,
          async (scope) => {
            const outcome = await auth.register(registration, scope);
            const user = outcome.record;
            if (!user || !outcome.etag) throw new Error('registration produced no user');
            const location = recordPath('users', user.id);
            return {
              status: 201,
              headers: {
                ...representationHeaders(req, outcome.etag, user.updated),
                location,
                'content-location': location,
                'content-type': JSON_TYPE,
              },
              body: recordJson(user),
            };
          },
          (problem) => renderProblem(problem, req),
        );
        varyApi(reply);
        if (replayed) reply.header('Idempotent-Replayed', 'true');
        return sendStored(reply, response);
      },
    },
    { acceptPost: 'application/json' },
  );

  route(
    app,
    '/api/auth/login',
    {
      async POST(req: FastifyRequest, reply: FastifyReply) {
        requireAcceptable(req);
        const result = await auth.login(req.ctx, objectBody(req));
        reply.setCookie(SESSION_COOKIE, result.token, cookieOptions(req, publicUrl, result.maxAge));
        reply.header('cache-control', 'no-store');
        varyApi(reply);
        return reply.type(JSON_TYPE).send(JSON.stringify({ token: result.token, user: result.user }));
      },
    },
    { acceptPost: 'application/json' },
  );

  route(app, '/api/auth/logout', {
    async POST(req: FastifyRequest, reply: FastifyReply) {
      await auth.logout(req.ctx);
      reply.clearCookie(SESSION_COOKIE, cookieOptions(req, publicUrl, 0));
      reply.header('cache-control', 'no-store');
      return reply.code(204).send();
    },
  });

  route(app, '/api/auth/me', {
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
  });
}
