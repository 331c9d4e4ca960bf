/** Small HTML pages for browsers: errors in plain words, with their field problems and a link back. */
import { escapeHtml } from '../util/html-template.js';
import type { Problem } from '../util/problem.js';

/** What a status means to someone in front of a browser, in plain words. */
const PLAIN_WORDS: Readonly<Record<number, string>> = {
  400: 'Something in this request was not right',
  401: 'You need to sign in',
  403: 'You are not allowed to do this',
  404: 'There is nothing here',
  405: 'This cannot be done here',
  406: 'This is not available in a form your browser takes',
  408: 'This took too long to arrive',
  409: 'This clashes with something that is already there',
  412: 'Someone else changed this meanwhile',
  413: 'That is too large',
  415: 'This kind of content is not taken here',
  422: 'Some of what you entered needs fixing',
  428: 'This change needs the version you started from',
  429: 'Too many attempts: wait a moment, then try again',
};

/** A sentence under the heading, for the statuses where there is a next step to suggest. */
const NEXT_STEP: Readonly<Record<number, string>> = {
  401: 'Sign in, then try again.',
  412: 'Reload the page to see their change, then make yours again.',
  422: 'Correct the fields below and send the form again.',
};

/** The heading of an error page: plain words for the status, or the status phrase. */
export function plainWords(status: number, title: string): string {
  return PLAIN_WORDS[status] ?? (status >= 500 ? 'Something went wrong on our side' : title);
}

/** A page for a problem; `back` is a same-origin path to return to. */
export function problemPage(problem: Problem, back: string): string {
  const errors = problem.errors ?? [];
  const items = errors
    .map((e) => `<li><strong>${escapeHtml(e.field)}</strong>: ${escapeHtml(e.message)}</li>`)
    .join('');
  const next = NEXT_STEP[problem.status];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${problem.status} ${escapeHtml(problem.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}h1{font-size:1.4rem;margin:.2rem 0 1rem}.status{font-size:2.5rem;font-weight:700;margin:0;color:#555}li{margin:.3rem 0}</style>
</head><body>
<main>
<p class="status">${problem.status}</p>
<h1>${escapeHtml(plainWords(problem.status, problem.title))}</h1>
${next ? `<p class="next">${next}</p>\n` : ''}<p class="detail">${escapeHtml(problem.detail)}</p>
${errors.length > 0 ? `<ul class="errors">${items}</ul>\n` : ''}<p><a href="${escapeHtml(back)}">Go back</a></p>
</main>
</body></html>
`;
}
