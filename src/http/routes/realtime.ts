/**
 * GET /api/realtime?topics=…: live changes as Server-Sent Events (see
 * docs/realtime.md). The handler checks the request (topics, rules, the
 * per-client bound), answers the stream's head, then hands the stream to
 * service/realtime/streams.ts; heartbeats keep it alive through proxies,
 * and the server's close ends every stream cleanly.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../service/context.js';
import { negotiate } from '../../util/accept.js';
import { MEDIA } from '../../util/media-types.js';
import { Problem } from '../../util/problem.js';
import { PRIVATE } from '../cache-policy.js';
import { realtimeDoc } from '../openapi/realtime-paths.js';
import { route } from '../route-table.js';
import type { Services } from '../services.js';
import { SseStream } from '../sse.js';

const EVENT_STREAM = MEDIA.eventStream;
const POSITION = /^\d{1,15}$/;
/** How soon a cut client (a restart, a dropped slow client) should reconnect. */
const RECONNECT_MS = 1000;

/** Last-Event-ID (a reconnecting EventSource), else `?since=`: the id of the last change the client has. */
function since(req: FastifyRequest): number | undefined {
  const header = req.headers['last-event-id'];
  const query = (req.query as Record<string, unknown>).since;
  const raw = typeof header === 'string' && header !== '' ? header : query;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !POSITION.test(raw)) {
    throw new Problem(
      'invalidQuery',
      'Last-Event-ID (or since) must be the id of an event this stream sent: a whole number.',
      { extra: { parameter: 'since' } },
    );
  }
  return Number(raw);
}

function clientKey(ctx: RequestContext): string {
  return ctx.auth ? `user:${ctx.auth.id}` : `address:${ctx.ip}`;
}

export function realtimeRoutes(app: FastifyInstance, services: Services): void {
  const { realtime, config } = services;
  const settings = config.realtime;
  const perClient = new Map<string, number>();
  const open = new Set<SseStream>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.close();
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    if (negotiate(req.headers.accept, [EVENT_STREAM]) === null) {
      throw new Problem('notAcceptable', `This resource is available as ${EVENT_STREAM} only.`);
    }
    const audience = realtime.audience(req.ctx, (req.query as Record<string, unknown>).topics);
    const from = since(req);
    reply
      .header('Content-Type', `${EVENT_STREAM}; charset=utf-8`)
      .header('Cache-Control', req.ctx.auth ? `${PRIVATE}, no-transform` : 'no-cache, no-transform')
      .header('Vary', 'Cookie, Authorization')
      // nginx and others would otherwise hold the events back in their buffers.
      .header('X-Accel-Buffering', 'no');
    if (req.method === 'HEAD') return reply.send();
    const key = clientKey(req.ctx);
    const count = perClient.get(key) ?? 0;
    if (count >= settings.connectionsPerClient) {
      throw new Problem(
        'tooManyRequests',
        `At most ${settings.connectionsPerClient} streams may be open per client (realtime.connectionsPerClient); close one first.`,
        { headers: { 'Retry-After': '5' } },
      );
    }
    perClient.set(key, count + 1);
    const stream = new SseStream(req.raw.socket, settings.queueBytes);
    open.add(stream);
    const heartbeat = setInterval(() => stream.heartbeat(), settings.heartbeatSeconds * 1000);
    heartbeat.unref();
    stream.onClose(() => {
      clearInterval(heartbeat);
      open.delete(stream);
      const left = (perClient.get(key) ?? 1) - 1;
      if (left > 0) perClient.set(key, left);
      else perClient.delete(key);
    });
    reply.raw.on('close', () => stream.close());
    // The head goes out once the stream hears every change from now on (EventSource's `open` is
    // the head): first how soon to come back after a cut, and a comment.
    let listening = () => {};
    const heard = new Promise<void>((resolve) => {
      listening = () => {
        stream.start(RECONNECT_MS);
        resolve();
      };
    });
    const running = realtime.run(audience, from, stream, listening);
    await Promise.race([heard, running]);
    return reply.send(stream.body);
  };

  route(app, '/api/realtime', { GET: handler }, { doc: realtimeDoc() });
}
