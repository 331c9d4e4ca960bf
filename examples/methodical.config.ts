/**
 * The example app `npm start` serves: a bookshop with a store, book
 * reviews, a newsletter, uploads and a fitness log. Collections and their
 * rules, aliases that give the API routes the site's own URLs, the pages
 * (server-rendered by handlers, so every form works without JavaScript),
 * the checkout hook, the error pages and a little sample data.
 */
import { defineConfig } from 'methodical-server';
import { errorPage } from './app/error-page.js';
import { orders, reviews, subscribers } from './app/hooks.js';
import { login, register } from './app/pages/account.js';
import { bookPage } from './app/pages/book.js';
import { addBook, bookList, editBook, GENRES } from './app/pages/books.js';
import { home } from './app/pages/home.js';
import { newsletter, thanks } from './app/pages/newsletter.js';
import { CATEGORIES, checkout, orderPage, shop } from './app/pages/shop.js';
import { UPLOAD_MAX, UPLOAD_TYPES, uploadForm, uploadPage } from './app/pages/uploads.js';
import { summary, TYPES, workouts } from './app/pages/workouts.js';
import { seed } from './app/seed.js';

const values = (choices: readonly (readonly [string, string])[]) => choices.map(([value]) => value);

/** Everyone reads; a signed-in user adds, and changes only what they added. */
const shared = { list: 'public', view: 'public', create: 'auth', update: 'owner', delete: 'owner' };
/** Only its owner sees or changes it. */
const own = { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' };

export default defineConfig({
  collections: {
    books: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        author: { type: 'text', required: true, max: 200 },
        year: { type: 'integer', min: 0, max: 3000 },
        isbn: { type: 'text', unique: true, pattern: '^[0-9-]{10,17}$' },
        genre: { type: 'select', values: values(GENRES) },
        cover: { type: 'file', maxSize: 2 * 1024 * 1024, accept: ['image/png', 'image/jpeg'] },
      },
      rules: shared,
    },
    reviews: {
      fields: {
        // Deleting a book deletes its reviews, in the same transaction.
        book: { type: 'relation', collection: 'books', required: true, onDelete: 'cascade' },
        rating: { type: 'integer', required: true, min: 1, max: 5 },
        text: { type: 'text', max: 2000 },
        // Set by the hook from the reviewer's account: their name, never their email.
        reviewer: { type: 'text', max: 200 },
      },
      rules: shared,
    },
    products: {
      fields: {
        name: { type: 'text', required: true, max: 120 },
        price: { type: 'number', required: true, min: 0 },
        category: { type: 'select', values: values(CATEGORIES) },
        stock: { type: 'integer', min: 0, default: 0 },
      },
      rules: { list: 'public', view: 'public', create: 'admin', update: 'admin', delete: 'admin' },
    },
    orders: {
      fields: {
        // Lines as priced by the checkout hook: {product, name, quantity, price, subtotal}.
        items: { type: 'json', required: true },
        total: { type: 'number', min: 0 },
      },
      rules: { ...own, update: 'admin', delete: 'admin' },
    },
    workouts: {
      fields: {
        type: { type: 'select', required: true, values: values(TYPES) },
        duration: { type: 'integer', required: true, min: 1, max: 1440 },
        distance: { type: 'number', min: 0, max: 1000 },
        date: { type: 'date', required: true },
      },
      rules: own,
    },
    subscribers: {
      fields: {
        email: { type: 'email', required: true, unique: true },
        name: { type: 'text', max: 100 },
      },
      rules: { list: 'admin', view: 'admin', create: 'public', update: 'admin', delete: 'admin' },
    },
    uploads: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        file: { type: 'file', required: true, maxSize: UPLOAD_MAX, accept: UPLOAD_TYPES },
      },
      rules: { ...own, view: 'public' },
    },
  },
  routes: {
    // Pages.
    'GET /': home,
    'GET /newsletter': newsletter,
    'GET /newsletter/thanks': thanks,
    'GET /register': register,
    'GET /login': login,
    'GET /upload': uploadForm,
    'GET /uploads/:id': uploadPage,
    'GET /books': bookList,
    'GET /books/:id': bookPage,
    'GET /add-book': addBook,
    'GET /edit-book/:id': editBook,
    'GET /shop': shop,
    'GET /orders/:id': orderPage,
    'GET /workouts': workouts,
    // The forms post to the API under the site's own URLs.
    'POST /newsletter': 'POST /api/subscribers',
    'POST /register': 'POST /api/auth/register',
    'POST /login': 'POST /api/auth/login',
    'POST /logout': 'POST /api/auth/logout',
    'POST /upload': 'POST /api/uploads',
    'POST /add-book': 'POST /api/books',
    'PUT /edit-book/:id': 'PUT /api/books/:id',
    'DELETE /books/:id': 'DELETE /api/books/:id',
    'POST /reviews': 'POST /api/reviews',
    'PATCH /reviews/:id': 'PATCH /api/reviews/:id',
    'DELETE /reviews/:id': 'DELETE /api/reviews/:id',
    'POST /products': 'POST /api/products',
    'POST /workouts': 'POST /api/workouts',
    // Routes of the example's own.
    'POST /checkout': checkout,
    'GET /api/workouts/summary': summary,
  },
  hooks: { orders, reviews, subscribers },
  errorPage,
  seed,
  public: './public',
});
