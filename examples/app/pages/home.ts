/** `/`: what the example shows, and where. */
import type { RouteContext } from 'methodical-server';
import { page } from '../layout.js';

const SCENARIOS: [number, string, string, string][] = [
  [1, 'Submit a form', '/newsletter', 'sign up for the newsletter: POST, then 303 to a thank-you page'],
  [2, 'Register', '/register', 'create an account; the browser is signed in afterwards'],
  [3, 'Log in', '/login', 'a form, or fetch() with JSON; wrong passwords are slowed down'],
  [4, 'Upload a file', '/upload', 'multipart form; the download is the same bytes'],
  [5, 'Create a resource', '/shop', 'admins add products with fetch() POST /api/products'],
  [6, 'Send data to an API', '/workouts', 'log workouts, totals per type computed by the database'],
  [7, 'Make a purchase', '/shop', 'stock checked and decremented in one transaction'],
  [8, 'Add a book (POST)', '/add-book', 'each POST adds one; a double submit with its key adds one'],
  [9, 'Edit a book (PUT)', '/books', 'the same PUT twice changes nothing; a stale edit is refused'],
  [10, 'Review a book', '/books', 'your reviews only are yours to change; names shown, emails never'],
  [11, 'Read and cache', '/books', 'pages and API reads carry ETags and revalidate with 304'],
  [12, 'Delete', '/books', 'remove your own book or review, with or without JavaScript'],
];

export async function home(ctx: RouteContext) {
  const { html } = ctx;
  const books = await ctx.records.list('books', {
    perPage: 3,
    sort: '-created',
    fields: ['id', 'title', 'author'],
  });
  const rows = SCENARIOS.map(
    ([, name, href, what]) =>
      html`<li><a href="${href}">${name}</a> <span class="muted">— ${what}</span></li>`,
  );
  const latest = books.items.map(
    (b) => html`<li><a href="/books/${b.id}">${b.title}</a> <span class="muted">by ${b.author}</span></li>`,
  );
  return page(
    ctx,
    { title: 'A bookshop that gets HTTP right' },
    html`<p class="lead">A small site built on Methodical: a bookshop with a store, reviews, a newsletter,
uploads and a fitness log. Each page is plain HTML that works without JavaScript, and better with it.</p>
<section aria-labelledby="tour">
  <h2 id="tour">What to try</h2>
  <ol class="scenarios">${rows}</ol>
</section>
${latest.length > 0 ? html`<section aria-labelledby="latest"><h2 id="latest">Newest books</h2><ul>${latest}</ul></section>` : ''}
<section aria-labelledby="admin">
  <h2 id="admin">Becoming an admin</h2>
  <p>Products are written by admins. There is no built-in admin password: create one from the shell,
  with the server's config and data folder,</p>
  <pre><code>npx methodical user create --config examples/methodical.config.ts --data ./data \\
  --email you@example.com --password 'a long passphrase' --admin</code></pre>
  <p>then <a href="/login">sign in</a> with it.</p>
</section>`,
  );
}
