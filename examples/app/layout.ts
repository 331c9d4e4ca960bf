/** The shell every page of the example shares: head, header with the account, main, footer. */
import type { Html, RouteContext } from 'methodical-server';

export interface PageOptions {
  title: string;
  /** The nav entry to mark as the current page. */
  current?: string;
}

const NAV: [href: string, label: string][] = [
  ['/books', 'Books'],
  ['/shop', 'Shop'],
  ['/workouts', 'Workouts'],
  ['/upload', 'Upload'],
  ['/newsletter', 'Newsletter'],
];

/** A whole page around `body`. */
export function page(ctx: RouteContext, options: PageOptions, body: Html): Html {
  const { html } = ctx;
  const nav = NAV.map(([href, label]) =>
    options.current === href
      ? html`<a href="${href}" aria-current="page">${label}</a>`
      : html`<a href="${href}">${label}</a>`,
  );
  const account = ctx.auth
    ? html`<span class="who" title="Signed in">${ctx.auth.email}${ctx.auth.admin ? ' (admin)' : ''}</span>
        <form method="post" action="/logout" class="inline">
          ${onceKey(ctx)}
          <input type="hidden" name="_redirect" value="/">
          <button type="submit" class="link">Sign out</button>
        </form>`
    : html`<a href="/login">Sign in</a> <a href="/register">Register</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Methodical bookshop</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/style.css">
<script src="/app.js" defer></script>
</head>
<body>
<header class="site">
  <a class="brand" href="/">Methodical <span>bookshop</span></a>
  <nav aria-label="Pages">${nav}</nav>
  <div class="account">${account}</div>
</header>
<main id="main">
<h1>${options.title}</h1>
${body}
</main>
<footer class="site">
  <p>An example app of Methodical: every page works without JavaScript.
  The API behind it is described at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</footer>
</body>
</html>
`;
}

/** The hidden field that makes a form's double submit one write: a fresh key per page view. */
export function onceKey(ctx: RouteContext): Html {
  return ctx.html`<input type="hidden" name="_idempotency_key" value="${ctx.idempotencyKey()}">`;
}

/** A hidden field. */
export function hidden(ctx: RouteContext, name: string, value: string): Html {
  return ctx.html`<input type="hidden" name="${name}" value="${value}">`;
}

/** A paragraph asking an anonymous visitor to sign in, coming back to `next`. */
export function signInFirst(ctx: RouteContext, what: string, next: string): Html {
  const query = new URLSearchParams({ next }).toString();
  return ctx.html`<p class="notice">
    <a href="/login?${query}">Sign in</a> (or <a href="/register?${query}">register</a>) to ${what}.
  </p>`;
}

/** A date as the pages show it: `1 Dec 2026`. */
export function day(iso: unknown): string {
  if (typeof iso !== 'string') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** A price as the shop shows it. */
export function money(value: unknown): string {
  return typeof value === 'number' ? `€${value.toFixed(2)}` : '';
}

/** A same-origin `next` path from the query, or the fallback. */
export function nextPath(ctx: RouteContext, fallback: string): string {
  const next = ctx.query.next;
  const value = Array.isArray(next) ? next[0] : next;
  return typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.includes('\\')
    ? value
    : fallback;
}
