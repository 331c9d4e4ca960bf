import { defineConfig } from 'methodical';

const open = { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' };

export default defineConfig({
  collections: {
    books: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        author: { type: 'text', required: true },
        year: { type: 'integer', min: 0 },
        isbn: { type: 'text', unique: true, pattern: '^[0-9-]{10,17}$' },
        genre: { type: 'select', values: ['fiction', 'science', 'history'] },
      },
      rules: open,
    },
    products: {
      fields: {
        name: { type: 'text', required: true, max: 120 },
        price: { type: 'number', required: true, min: 0 },
        category: { type: 'select', values: ['books', 'stationery', 'gifts'] },
        stock: { type: 'integer', min: 0, default: 0 },
      },
      rules: open,
    },
  },
  routes: {
    'POST /add-book': 'POST /api/books',
    'PUT /edit-book/:id': 'PUT /api/books/:id',
  },
  public: './public',
});
