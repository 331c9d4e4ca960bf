/** The response types an API route offers: 406 when the Accept header rules them all out. */
import type { FastifyRequest } from 'fastify';
import { negotiate, prefersHtml } from '../util/accept.js';
import { MEDIA } from '../util/media-types.js';
import { Problem } from '../util/problem.js';

const JSON_ALONE = [MEDIA.json];
const JSON_OR_HTML = [MEDIA.json, MEDIA.html];

/** 406 unless the client accepts JSON (or HTML, where a write can answer with a redirect page). */
export function requireAcceptable(req: FastifyRequest, htmlOffered = false): void {
  if (req.headers.accept === undefined) return; // Anything goes: JSON.
  const offers = htmlOffered ? JSON_OR_HTML : JSON_ALONE;
  if (negotiate(req.headers.accept, offers) === null && !(htmlOffered && prefersHtml(req.headers.accept))) {
    throw new Problem(
      'notAcceptable',
      `This resource is available as ${offers.join(' or ')}; the Accept header rules that out.`,
    );
  }
}
