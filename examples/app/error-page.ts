/** The example's error pages: what happened in plain words, the status visible, and where to go next. */
import type { ErrorPageContext, Html } from 'methodical-server';

/** `/api/books/:id`, `/edit-book/:id` or `/books/:id`: the book a failed request was about. */
function bookOf(path: string): string | undefined {
  const match = /^\/(?:api\/books|edit-book|books)\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  return match?.[1];
}

function words(ctx: ErrorPageContext): { heading: string; text: string; next?: [string, string] } {
  const book = bookOf(ctx.path);
  switch (ctx.status) {
    case 400:
      return { heading: 'That request could not be read', text: ctx.detail };
    case 401:
      return ctx.path === '/login' || ctx.path === '/api/auth/login'
        ? {
            heading: 'Wrong email or password',
            text: 'Check both and try again.',
            next: ['/login', 'Sign in again'],
          }
        : { heading: 'You need to sign in', text: 'This needs an account.', next: ['/login', 'Sign in'] };
    case 403:
      return { heading: 'That is not yours to change', text: ctx.detail };
    case 404:
      return {
        heading: 'Nothing here',
        text: 'The page or record does not exist (any more).',
        next: ['/', 'Go to the start'],
      };
    case 409:
      if (/unique|already/i.test(ctx.detail) && /email/i.test(ctx.detail + ctx.path)) {
        return {
          heading: 'That email is taken',
          text: 'It is already on the list, or already has an account.',
        };
      }
      return book
        ? {
            heading: 'Someone else changed this book',
            text: ctx.detail,
            next: [`/books/${book}`, 'See the latest version'],
          }
        : { heading: 'That clashes with what is there', text: ctx.detail };
    case 412:
      return book
        ? {
            heading: 'Someone else changed this book meanwhile',
            text: 'Your change was not saved, so nothing of theirs was lost. Look at their version, then make your change again.',
            next: [`/edit-book/${book}`, 'Edit the latest version'],
          }
        : { heading: 'Someone else changed this meanwhile', text: 'Reload the page and try again.' };
    case 413:
      return { heading: 'That is too large', text: ctx.detail };
    case 422:
      return {
        heading: 'Please check the form',
        text: ctx.errors.length > 0 ? 'Some fields need another look:' : ctx.detail,
      };
    case 429:
      return { heading: 'Too many attempts', text: 'Wait a little, then try again.' };
    default:
      return ctx.status >= 500
        ? { heading: 'Something went wrong on our side', text: ctx.detail }
        : { heading: ctx.title, text: ctx.detail };
  }
}

export function errorPage(ctx: ErrorPageContext): Html {
  const { html } = ctx;
  const w = words(ctx);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${ctx.status} ${w.heading} · Methodical bookshop</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header class="site"><a class="brand" href="/">Methodical <span>bookshop</span></a></header>
<main id="main" class="error">
<p class="status">Error ${ctx.status}</p>
<h1>${w.heading}</h1>
<p>${w.text}</p>
${ctx.errors.length > 0 ? html`<ul class="errors">${ctx.errors.map((e) => html`<li><strong>${e.field}</strong>: ${e.message}</li>`)}</ul>` : ''}
<p class="actions">${w.next ? html`<a class="button" href="${w.next[0]}">${w.next[1]}</a> ` : ''}<a href="${ctx.back}">Go back</a></p>
</main>
</body>
</html>
`;
}
