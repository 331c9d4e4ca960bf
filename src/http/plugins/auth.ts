/**
 * Who is calling: a bearer token or the session cookie, resolved to a user
 * before any handler runs. An unknown bearer token is a 401; an unknown
 * cookie is simply anonymous (and cleared), so a stale cookie never locks
 * a browser out of public pages.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../../service/auth.js';
import { Problem, WWW_AUTHENTICATE } from '../../util/problem.js';
import { clientScheme } from '../forwarded.js';

export const SESSION_COOKIE = 'methodical_session';
export { WWW_AUTHENTICATE };

/** True when the request reached us over HTTPS (directly, through a trusted proxy, or per publicUrl). */
export function isHttps(req: FastifyRequest, publicUrl: string | undefined): boolean {
  return clientScheme(req) === 'https' || (publicUrl?.startsWith('https:') ?? false);
}

/** Set-Cookie attributes for the session cookie. */
export function cookieOptions(req: FastifyRequest, publicUrl: string | undefined, maxAge: number) {
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: isHttps(req, publicUrl), maxAge };
}

/** Resolve the caller of a request that carries an Authorization header or cookies. */
export async function resolveCaller(
  app: FastifyInstance,
  auth: AuthService,
  publicUrl: string | undefined,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const resolved = match ? await auth.authenticate(match[1]) : null;
    if (!resolved) {
      throw new Problem(
        'unauthorized',
        'The bearer token is missing, invalid, expired or revoked; log in again.',
        {
          headers: { 'WWW-Authenticate': WWW_AUTHENTICATE },
        },
      );
    }
    req.ctx = { auth: resolved.caller, ip: req.ip, sessionTokenHash: resolved.tokenHash, via: 'bearer' };
    return;
  }
  const cookies = req.headers.cookie;
  const cookie = cookies ? app.parseCookie(cookies)[SESSION_COOKIE] : undefined;
  if (!cookie) return;
  const resolved = await auth.authenticate(cookie);
  if (resolved) {
    req.ctx = { auth: resolved.caller, ip: req.ip, sessionTokenHash: resolved.tokenHash, via: 'cookie' };
  } else {
    reply.clearCookie(SESSION_COOKIE, cookieOptions(req, publicUrl, 0));
  }
}
