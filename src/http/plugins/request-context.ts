/**
 * The one hook every request passes first: security headers, who is
 * calling (bearer token or session cookie) and the CSRF check. Callback
 * style, and no await at all for a request without credentials: this runs
 * on every request, so it stays on the fast path.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../service/auth.js';
import { isHttps, resolveCaller } from './auth.js';
import { checkCsrf } from './csrf.js';
import { HSTS, securityHeaders } from './security-headers.js';

export interface RequestContextOptions {
  auth: AuthService;
  publicUrl: string | undefined;
  /** Other origins whose cookie-authenticated requests are accepted. */
  trustedOrigins: readonly string[];
  /** CORS is on: resources may be read cross-origin. */
  crossOrigin: boolean;
}

export function requestContextPlugin(app: FastifyInstance, options: RequestContextOptions): void {
  const headers = securityHeaders(options.crossOrigin);
  const { auth, publicUrl } = options;
  const csrf = { publicUrl, trustedOrigins: options.trustedOrigins };
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(headers);
    if (isHttps(req, publicUrl)) reply.header('strict-transport-security', HSTS);
    req.ctx = { auth: null, ip: req.ip, via: null };
    if (req.headers.authorization === undefined && req.headers.cookie === undefined) {
      done();
      return;
    }
    resolveCaller(app, auth, publicUrl, req, reply)
      .then(() => checkCsrf(req, csrf))
      .then(
        () => done(),
        (error: Error) => done(error),
      );
  });
}
