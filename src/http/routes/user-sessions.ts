/** `/api/users/{id}/sessions`: DELETE signs that user out everywhere. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signOutEverywhere } from '../../service/user-sessions.js';
import { userSessionsDoc } from '../openapi/user-admin-paths.js';
import { cookieOptions, SESSION_COOKIE } from '../plugins/auth.js';
import { route } from '../route-table.js';
import type { Services } from '../services.js';

export function userSessionRoutes(app: FastifyInstance, services: Services): void {
  route(
    app,
    '/api/users/:id/sessions',
    {
      async DELETE(req: FastifyRequest, reply: FastifyReply) {
        const { id } = req.params as { id: string };
        await signOutEverywhere(services, req.ctx, id);
        // Signed out of this session too: the browser may as well forget its cookie.
        if (req.ctx.auth?.id === id && req.ctx.via === 'cookie') {
          reply.clearCookie(SESSION_COOKIE, cookieOptions(req, services.config.publicUrl, 0));
        }
        reply.header('cache-control', 'no-store');
        return reply.code(204).send();
      },
    },
    { doc: userSessionsDoc },
  );
}
