/**
 * A type-level test, compiled by `npm run typecheck` and never run:
 * defineConfig gives handlers, hooks, the error page and the seed real
 * types, and no `any` leaks into them. Every `@ts-expect-error` must meet
 * an error, so a `ctx` typed `any` (which accepts everything) fails the build.
 */
import {
  defineConfig,
  type ErrorPageContext,
  type HookContext,
  type HookTx,
  type Html,
  type RecordData,
  type RecordPage,
  type RouteContext,
  type RouteResponse,
} from 'methodical';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
/** Compiles only when its argument is `true`. */
function expectType<T extends true>(_proof?: T): void {}

export default defineConfig({
  collections: {
    books: {
      fields: { title: { type: 'text', required: true } },
      indexes: [['title', '-created'], { fields: ['title'], unique: true }],
    },
  },
  routes: {
    'POST /add-book': 'POST /api/books',
    'GET /books/:id': async (ctx) => {
      expectType<Equal<typeof ctx, RouteContext>>();
      expectType<Equal<IsAny<typeof ctx.body>, false>>();
      const id: string = ctx.params.id;
      // @ts-expect-error params are read-only
      ctx.params.id = 'other';
      // @ts-expect-error ctx has no such member
      ctx.nothingHere;
      // @ts-expect-error the body is unknown until the handler checks it
      ctx.body.title;
      const book = await ctx.records.get('books', id, { expand: ['owner'] });
      expectType<Equal<typeof book, RecordData | null>>();
      if (!book) return ctx.problem(404, 'No such book.');
      expectType<Equal<typeof book.title, unknown>>();
      // @ts-expect-error a problem takes a status and a detail
      ctx.problem('404');
      const page: RecordPage = await ctx.records.list('books', { sort: '-created', perPage: 5 });
      // @ts-expect-error perPage is a number
      await ctx.records.list('books', { perPage: '5' });
      const rows = await ctx.records.aggregate('books', { groupBy: ['title'] });
      expectType<Equal<(typeof rows)[number][string], string | number | boolean | null>>();
      const items: Html[] = page.items.map((b) => ctx.html`<li>${b.title}</li>`);
      return ctx.html`<h1>${book.title}</h1><ul>${items}</ul>`;
    },
    'PUT /books/:id': async (ctx) => {
      expectType<Equal<typeof ctx.tx, HookTx>>();
      const key: string = ctx.idempotencyKey();
      const saved = await ctx.records.replace(
        'books',
        ctx.params.id,
        { title: key },
        { ifMatch: ctx.ifMatch },
      );
      expectType<Equal<typeof saved, RecordData>>();
      // @ts-expect-error preconditions are an object, not a bare tag
      await ctx.records.update('books', ctx.params.id, {}, '"etag"');
      const moved: RouteResponse = ctx.redirect(`/books/${saved.id}`);
      const answered: RouteResponse = ctx.json(saved, { status: 200, headers: { 'X-A': 'b' } });
      // @ts-expect-error a status is a number
      ctx.json(saved, { status: '200' });
      return ctx.prefersHtml ? moved : answered;
    },
  },
  hooks: {
    books: {
      async beforeCreate(ctx) {
        expectType<Equal<typeof ctx, HookContext>>();
        expectType<Equal<IsAny<typeof ctx.record>, false>>();
        const other = await ctx.tx.get('books', 'x');
        expectType<Equal<typeof other, RecordData | null>>();
        // @ts-expect-error reject takes a status and a detail
        ctx.reject('no');
      },
    },
  },
  errorPage(ctx) {
    expectType<Equal<typeof ctx, ErrorPageContext>>();
    const fields = ctx.errors.map((e) => ctx.html`<li>${e.field}: ${e.message}</li>`);
    return ctx.status >= 500 ? ctx.html`<h1>${ctx.title}</h1><ul>${fields}</ul>` : undefined;
  },
  async seed({ tx }) {
    expectType<Equal<typeof tx, HookTx>>();
    await tx.create('books', { title: 'Dune' });
  },
});

defineConfig({
  // @ts-expect-error a route maps to an API route (a string) or a handler, nothing else
  routes: { 'GET /x': 42 },
});

defineConfig({
  // @ts-expect-error an error page answers ctx.html`…` or undefined, not a string
  errorPage: () => '<h1>Oops</h1>',
});

defineConfig({
  // @ts-expect-error a seed is given { tx }, which has no records
  seed: ({ records }) => records,
});
