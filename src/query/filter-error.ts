/** The one way filter code reports a mistake: a 400 that points at the offending character. */
import { Problem } from '../util/problem.js';

/**
 * An `invalidFilter` problem whose `position` is the 0-based offset where the
 * filter went wrong; a filter over a bound also names it in `limit`.
 */
export function filterError(detail: string, position: number, limit?: string): Problem {
  const extra = limit === undefined ? { position } : { position, limit };
  return new Problem('invalidFilter', detail, { extra });
}

const SNIPPET_MAX = 24;

/** A piece of filter source quoted for a message, cut short so a huge token cannot flood it. */
export function quoteSnippet(text: string): string {
  const short = text.length > SNIPPET_MAX ? text.slice(0, SNIPPET_MAX) + '…' : text;
  return `"${short}"`;
}
