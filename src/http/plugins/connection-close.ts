/**
 * Which answers close their connection: every answer while the server stops
 * (so a keep-alive client cannot hold the exit), and every answer sent
 * before the request's body has all been read — a 413, a 415, a 401 before
 * an upload. Node would otherwise read the rest of such a body to keep the
 * connection, for as long as the client cares to send it; closed, the
 * connection lingers for a few seconds and is gone.
 */
import type { FastifyInstance } from 'fastify';
import { bodyUnread, lingerAfterResponse } from '../server/lingering-close.js';

export function connectionClosePlugin(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    // One flag for most requests (complete), two header reads for the rest: this runs on every answer.
    const unread = bodyUnread(req.raw);
    if (unread) lingerAfterResponse(req.raw.socket, req.raw);
    if (closing || unread) reply.header('connection', 'close');
    done(null, payload);
  });
}
