/**
 * The HTML page of a problem, for a request that prefers HTML: the
 * config's `errorPage` first; undefined from it, or a throw (logged),
 * keeps the built-in page. The answer's status is the problem's either way.
 */
import type { FastifyRequest } from 'fastify';
import type { ErrorPageHandler } from '../config/app-types.js';
import { html, isHtml } from '../util/html-template.js';
import type { Problem } from '../util/problem.js';
import { problemPage } from './html.js';

function configPage(
  errorPage: ErrorPageHandler,
  problem: Problem,
  req: FastifyRequest,
  back: string,
): string | undefined {
  const page = errorPage({
    status: problem.status,
    title: problem.title,
    detail: problem.detail,
    errors: problem.errors ?? [],
    method: req.method,
    path: req.url.split('?')[0],
    // Errors raised before the request's own hook ran (a malformed URL) have no caller yet.
    auth: req.ctx?.auth ?? null,
    back,
    html,
  });
  if (page === undefined) return undefined;
  if (!isHtml(page)) throw new Error('errorPage must return ctx.html`…` or undefined');
  return page.html;
}

/** The page for `problem`; `back` is a same-origin path to return to. */
export function errorPageHtml(
  problem: Problem,
  req: FastifyRequest,
  back: string,
  errorPage: ErrorPageHandler | undefined,
): string {
  if (errorPage) {
    try {
      const page = configPage(errorPage, problem, req, back);
      if (page !== undefined) return page;
    } catch (error) {
      req.log.error({ err: error }, 'the config’s errorPage failed; the built-in page was sent instead');
    }
  }
  return problemPage(problem, back);
}
