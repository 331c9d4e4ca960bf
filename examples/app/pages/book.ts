/** Scenarios 10, 11 and 12: `/books/:id`, the book with its reviews. */
import type { Html, RecordData, RouteContext } from 'methodical-server';
import { formError, select, textarea } from '../fields.js';
import { day, hidden, onceKey, page, signInFirst } from '../layout.js';
import { bookOr404 } from './books.js';
import { fileUrl } from './uploads.js';

const RATINGS = [
  ['5', '★★★★★ — 5'],
  ['4', '★★★★ — 4'],
  ['3', '★★★ — 3'],
  ['2', '★★ — 2'],
  ['1', '★ — 1'],
] as const;

function stars(rating: unknown): string {
  const n = typeof rating === 'number' ? Math.max(0, Math.min(5, Math.round(rating))) : 0;
  return '★'.repeat(n) + '☆'.repeat(5 - n);
}

/** A form that removes a record with DELETE (POST + `_method` without JavaScript). */
function deleteForm(ctx: RouteContext, action: string, etag: string, back: string, label: string): Html {
  return ctx.html`<form method="post" action="${action}" class="inline" data-enhance data-confirm="${label}?">
  ${hidden(ctx, '_method', 'DELETE')}
  ${onceKey(ctx)}
  ${hidden(ctx, '_etag', etag)}
  ${hidden(ctx, '_redirect', back)}
  <button type="submit" class="danger">${label}</button>
</form>`;
}

function review(ctx: RouteContext, r: RecordData, book: RecordData): Html {
  const { html } = ctx;
  const mine = ctx.auth !== null && r.owner === ctx.auth.id;
  const back = `/books/${book.id}`;
  return html`<li class="review" id="review-${r.id}">
  <p><span class="stars" aria-label="${r.rating} out of 5">${stars(r.rating)}</span>
     <strong>${r.reviewer || 'A reader'}</strong> <span class="muted">${day(r.created)}</span></p>
  ${r.text ? html`<p>${r.text}</p>` : ''}
  ${
    mine
      ? html`<details><summary>Edit your review</summary>
    <form method="post" action="/reviews/${r.id}" data-enhance>
      ${hidden(ctx, '_method', 'PATCH')}
      ${hidden(ctx, '_etag', ctx.records.etag(r))}
      ${hidden(ctx, '_redirect', back)}
      ${onceKey(ctx)}
      ${formError(ctx)}
      ${select(ctx, 'rating', 'Rating', RATINGS, r.rating, true, true, r.id)}
      ${textarea(ctx, 'text', 'Review', r.text, r.id)}
      <p><button type="submit">Save review</button></p>
    </form>
  </details>
  ${deleteForm(ctx, `/reviews/${r.id}`, ctx.records.etag(r), back, 'Delete review')}`
      : ''
  }
</li>`;
}

export async function bookPage(ctx: RouteContext) {
  const { html } = ctx;
  const book = await bookOr404(ctx);
  const reviews = await ctx.records.list('reviews', {
    filter: `book = ${JSON.stringify(book.id)}`,
    sort: '-created',
    perPage: 50,
  });
  const cover = fileUrl('books', book, 'cover');
  const owner = ctx.auth !== null && (book.owner === ctx.auth.id || ctx.auth.admin);
  const mineAlready = ctx.auth !== null && reviews.items.some((r) => r.owner === ctx.auth?.id);
  const back = `/books/${book.id}`;
  const reviewForm = ctx.auth
    ? mineAlready
      ? ''
      : html`<h3>Your review</h3>
<form method="post" action="/reviews" data-enhance>
  ${onceKey(ctx)}
  ${hidden(ctx, 'book', book.id)}
  ${hidden(ctx, '_redirect', back)}
  ${formError(ctx)}
  ${select(ctx, 'rating', 'Rating', RATINGS, '5', true, true)}
  ${textarea(ctx, 'text', 'Review')}
  <p><button type="submit">Post review</button></p>
</form>`
    : signInFirst(ctx, 'review this book', back);
  return page(
    ctx,
    { title: String(book.title), current: '/books' },
    html`<div class="book-detail">
  ${cover ? html`<img class="cover" src="${cover}" alt="Cover of ${book.title}">` : ''}
  <dl>
    <dt>Author</dt><dd>${book.author}</dd>
    ${book.year ? html`<dt>Year</dt><dd>${book.year}</dd>` : ''}
    ${book.isbn ? html`<dt>ISBN</dt><dd>${book.isbn}</dd>` : ''}
    ${book.genre ? html`<dt>Genre</dt><dd>${book.genre}</dd>` : ''}
  </dl>
</div>
${
  owner
    ? html`<p class="actions"><a class="button" href="/edit-book/${book.id}">Edit</a>
  ${deleteForm(ctx, `/books/${book.id}`, ctx.records.etag(book), '/books', 'Delete book')}</p>`
    : ''
}
<section aria-labelledby="reviews">
  <h2 id="reviews">Reviews (${reviews.totalItems ?? reviews.items.length})</h2>
  ${reviews.items.length > 0 ? html`<ul class="reviews">${reviews.items.map((r) => review(ctx, r, book))}</ul>` : html`<p>No reviews yet.</p>`}
  ${reviewForm}
</section>
<p><a href="/books">All books</a></p>`,
  );
}
