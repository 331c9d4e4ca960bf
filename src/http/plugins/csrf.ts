/**
 * Cross-site request forgery: a cookie-authenticated unsafe request passes
 * only when it comes from this server's own origin. Bearer tokens are never
 * sent by a browser on its own, so they are not checked.
 */
import type { FastifyRequest } from 'fastify';
import { Problem } from '../../util/problem.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** This server's origin: publicUrl's when configured, else the request's scheme and Host. */
export function ownOrigin(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  try {
    // Through URL, so a default port in Host (`:80`, `:443`) compares equal to an Origin without it.
    // `req.host` is the Host header, or X-Forwarded-Host from a trusted proxy (as req.protocol is).
    return new URL(`${req.protocol}://${req.host}`).origin;
  } catch {
    return '';
  }
}

/** Whether a cookie-authenticated unsafe request may proceed. */
export function sameOriginAllowed(req: FastifyRequest, publicUrl: string | undefined): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === 'null') return false;
    try {
      return new URL(origin).origin === ownOrigin(req, publicUrl);
    } catch {
      return false;
    }
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  return true; // Neither header: not a browser.
}

/** Throws 403 for a cookie-authenticated unsafe request from another origin. */
export function checkCsrf(req: FastifyRequest, publicUrl: string | undefined): void {
  if (req.ctx.via !== 'cookie' || SAFE.has(req.method)) return;
  if (!sameOriginAllowed(req, publicUrl)) {
    throw new Problem(
      'crossOriginRequest',
      'This request carries the session cookie but comes from another origin; it was refused. Send it from this site, or authenticate with a bearer token.',
    );
  }
}
