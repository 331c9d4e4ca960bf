/** Scenarios 8, 9, 11 and 12: `/books`, `/add-book` and `/edit-book/:id`. */
import type { Html, RecordData, RouteContext } from 'methodical-server';
import { formError, input, select } from '../fields.js';
import { hidden, onceKey, page, signInFirst } from '../layout.js';
import { fileUrl } from './uploads.js';

export const GENRES = [
  ['fiction', 'Fiction'],
  ['science', 'Science'],
  ['history', 'History'],
  ['poetry', 'Poetry'],
  ['children', 'Children'],
] as const;

const PER_PAGE = 10;

function genreName(genre: unknown): string {
  return GENRES.find(([value]) => value === genre)?.[1] ?? '';
}

/** A book in a list: title, author, year, genre. */
export function bookLine(ctx: RouteContext, book: RecordData): Html {
  const { html } = ctx;
  return html`<li class="book">
  <a href="/books/${book.id}">${book.title}</a>
  <span class="muted">by ${book.author}${book.year ? html`, ${book.year}` : ''}${book.genre ? html` · ${genreName(book.genre)}` : ''}</span>
</li>`;
}

/** One query parameter's first value. */
function queryValue(ctx: RouteContext, name: string): string {
  const value = ctx.query[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

export async function bookList(ctx: RouteContext) {
  const { html } = ctx;
  const q = queryValue(ctx, 'q').trim().slice(0, 100);
  const pageNumber = Math.max(1, Math.min(1000, Number.parseInt(queryValue(ctx, 'page'), 10) || 1));
  // The search is the filter language, with the words as a quoted string (JSON quoting is its quoting).
  const words = JSON.stringify(q);
  const result = await ctx.records.list('books', {
    sort: 'title',
    page: pageNumber,
    perPage: PER_PAGE,
    ...(q ? { filter: `title ~ ${words} || author ~ ${words}` } : {}),
  });
  const link = (n: number) => `/books?${new URLSearchParams({ ...(q ? { q } : {}), page: String(n) })}`;
  const pages = result.totalPages ?? 1;
  return page(
    ctx,
    { title: 'Books', current: '/books' },
    html`<form method="get" action="/books" class="search" role="search">
  <label for="q">Search title or author</label>
  <input id="q" name="q" type="search" value="${q}">
  <button type="submit">Search</button>
</form>
${ctx.auth ? html`<p><a class="button" href="/add-book">Add a book</a></p>` : signInFirst(ctx, 'add books and reviews', '/books')}
${result.items.length === 0 ? html`<p>No books${q ? html` match “${q}”` : ''}.</p>` : html`<ul class="books">${result.items.map((b) => bookLine(ctx, b))}</ul>`}
${
  pages > 1
    ? html`<nav class="pages" aria-label="Pages of books">
  ${pageNumber > 1 ? html`<a href="${link(pageNumber - 1)}" rel="prev">Previous</a>` : ''}
  <span>Page ${pageNumber} of ${pages}</span>
  ${pageNumber < pages ? html`<a href="${link(pageNumber + 1)}" rel="next">Next</a>` : ''}
</nav>`
    : ''
}`,
  );
}

/** The fields of a book form, filled with `book` when editing. */
function bookFields(ctx: RouteContext, book: Partial<RecordData> = {}): Html {
  const { html } = ctx;
  const cover = book.id ? fileUrl('books', book as RecordData, 'cover') : undefined;
  return html`${input(ctx, 'title', 'Title', { required: true, value: book.title, attrs: { maxlength: 200 } })}
${input(ctx, 'author', 'Author', { required: true, value: book.author, attrs: { maxlength: 200 } })}
${input(ctx, 'year', 'Year', { type: 'number', value: book.year, attrs: { min: 0, max: 3000 } })}
${input(ctx, 'isbn', 'ISBN', { value: book.isbn, attrs: { pattern: '[0-9-]{10,17}' }, hint: '10 to 17 digits and dashes.' })}
${select(ctx, 'genre', 'Genre', [['', '—'], ...GENRES], book.genre)}
${cover ? html`<p class="cover-now"><img class="thumb" src="${cover}" alt="The current cover"> The current cover stays unless you choose another.</p>${hidden(ctx, 'cover', String(book.cover))}` : ''}
${input(ctx, 'cover', 'Cover image', { type: 'file', attrs: { accept: 'image/png,image/jpeg' }, hint: 'PNG or JPEG, at most 2 MiB.' })}`;
}

export function addBook(ctx: RouteContext) {
  const { html } = ctx;
  if (!ctx.auth)
    return page(ctx, { title: 'Add a book', current: '/books' }, signInFirst(ctx, 'add a book', '/add-book'));
  return page(
    ctx,
    { title: 'Add a book', current: '/books' },
    html`<p>Every POST adds a book: this form carries a fresh key, so a double click adds it once.</p>
<form method="post" action="/add-book" enctype="multipart/form-data" data-enhance>
  ${onceKey(ctx)}
  ${hidden(ctx, '_redirect', '/books/{id}')}
  ${formError(ctx)}
  ${bookFields(ctx)}
  <p><button type="submit">Add the book</button></p>
</form>`,
  );
}

/** The book a page is about, or a 404. */
export async function bookOr404(ctx: RouteContext): Promise<RecordData> {
  const book = await ctx.records.get('books', ctx.params.id);
  if (!book) return ctx.problem(404, 'There is no such book.');
  return book;
}

export async function editBook(ctx: RouteContext) {
  const { html } = ctx;
  const book = await bookOr404(ctx);
  if (!ctx.auth)
    return page(
      ctx,
      { title: 'Edit a book', current: '/books' },
      signInFirst(ctx, 'edit books', `/edit-book/${book.id}`),
    );
  if (book.owner !== ctx.auth.id && !ctx.auth.admin) {
    return ctx.problem(403, 'Only the person who added this book can edit it.');
  }
  return page(
    ctx,
    { title: `Edit “${book.title}”`, current: '/books' },
    html`<p>Saving sends the whole book with PUT. Sending it twice changes nothing; if someone else saved
a change meanwhile, yours is refused rather than lost.</p>
<form method="post" action="/edit-book/${book.id}" enctype="multipart/form-data" data-enhance>
  ${hidden(ctx, '_method', 'PUT')}
  ${onceKey(ctx)}
  ${hidden(ctx, '_etag', ctx.records.etag(book))}
  ${hidden(ctx, '_redirect', `/books/${book.id}`)}
  ${formError(ctx)}
  ${bookFields(ctx, book)}
  <p><button type="submit">Save</button> <a href="/books/${book.id}">Cancel</a></p>
</form>`,
  );
}
