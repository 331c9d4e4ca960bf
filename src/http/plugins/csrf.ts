/**
 * Cross-site request forgery: a cookie-authenticated unsafe request passes
 * only when it comes from this server's own origin, or from one of the
 * config's `trustedOrigins`. Bearer tokens are never sent by a browser on
 * its own, so they are not checked.
 */
import type { FastifyRequest } from 'fastify';
import { Problem } from '../../util/problem.js';
import { clientOrigin } from '../forwarded.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * This server's origin: publicUrl's when configured, else the scheme and
 * host the client used (X-Forwarded-Proto/-Host or Forwarded with trustProxy).
 */
export function ownOrigin(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  return clientOrigin(req);
}

/** What the CSRF check compares: the config's publicUrl and trustedOrigins. */
export interface CsrfOptions {
  publicUrl: string | undefined;
  trustedOrigins: readonly string[];
}

type Verdict = { ok: true } | { ok: false; saw: string };

function judge(req: FastifyRequest, options: CsrfOptions): Verdict {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === 'null') return { ok: false, saw: 'Origin: null' };
    let parsed: string;
    try {
      parsed = new URL(origin).origin;
    } catch {
      return { ok: false, saw: `an unparseable Origin ${JSON.stringify(origin.slice(0, 100))}` };
    }
    if (parsed === ownOrigin(req, options.publicUrl) || options.trustedOrigins.includes(parsed)) {
      return { ok: true };
    }
    return { ok: false, saw: `Origin ${parsed}` };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) {
    return site === 'same-origin' || site === 'none'
      ? { ok: true }
      : { ok: false, saw: `no Origin and Sec-Fetch-Site: ${String(site).slice(0, 40)}` };
  }
  return { ok: true }; // Neither header: not a browser.
}

/** Whether a cookie-authenticated unsafe request may proceed. */
export function sameOriginAllowed(req: FastifyRequest, options: CsrfOptions): boolean {
  return judge(req, options).ok;
}

/** Throws 403 for a cookie-authenticated unsafe request from another origin. */
export function checkCsrf(req: FastifyRequest, options: CsrfOptions): void {
  if (req.ctx.via !== 'cookie' || SAFE.has(req.method)) return;
  const verdict = judge(req, options);
  if (verdict.ok) return;
  const expected = ownOrigin(req, options.publicUrl) || '(none: the request has no usable Host)';
  const trusted =
    options.trustedOrigins.length > 0
      ? ` or one of trustedOrigins (${options.trustedOrigins.join(', ')})`
      : '';
  throw new Problem(
    'crossOriginRequest',
    `This request carries the session cookie but comes from another origin, so it was refused: it has ${verdict.saw}, ` +
      `while this server's own origin is ${expected}${trusted}. ` +
      `Behind a proxy, set publicUrl to the address browsers use, or trustProxy: true so the proxy's ` +
      `X-Forwarded-Proto and X-Forwarded-Host (or Forwarded) headers are used; ` +
      `a front-end served from another origin goes in trustedOrigins. ` +
      `Or authenticate with a bearer token instead of the cookie.`,
  );
}
