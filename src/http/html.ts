/** Small HTML pages for browsers: errors with their field problems and a link back. */
import type { Problem } from '../util/problem.js';

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A page for a problem; `back` is a same-origin path to return to. */
export function problemPage(problem: Problem, back: string): string {
  const errors = problem.errors ?? [];
  const items = errors
    .map((e) => `<li><strong>${escapeHtml(e.field)}</strong>: ${escapeHtml(e.message)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${problem.status} ${escapeHtml(problem.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}h1{font-size:1.4rem}li{margin:.3rem 0}</style>
</head><body>
<h1>${escapeHtml(problem.title)}</h1>
<p class="detail">${escapeHtml(problem.detail)}</p>
${errors.length > 0 ? `<ul class="errors">${items}</ul>` : ''}
<p><a href="${escapeHtml(back)}">Go back</a></p>
</body></html>
`;
}
