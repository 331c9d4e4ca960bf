/** Sample data for a first start: a few books and products with stock. Runs once per database. */
import type { SeedHandler } from 'methodical-server';

const BOOKS = [
  { title: 'Pride and Prejudice', author: 'Jane Austen', year: 1813, genre: 'fiction' },
  { title: 'On the Origin of Species', author: 'Charles Darwin', year: 1859, genre: 'science' },
  { title: 'The Histories', author: 'Herodotus', year: 430, genre: 'history' },
  { title: 'Leaves of Grass', author: 'Walt Whitman', year: 1855, genre: 'poetry' },
  { title: 'Alice’s Adventures in Wonderland', author: 'Lewis Carroll', year: 1865, genre: 'children' },
];

const PRODUCTS = [
  { name: 'Reading lamp', price: 24.5, category: 'gifts', stock: 8 },
  { name: 'Notebook, dotted', price: 6.9, category: 'stationery', stock: 40 },
  { name: 'Fountain pen', price: 18, category: 'stationery', stock: 12 },
  { name: 'Gift card', price: 25, category: 'gifts', stock: 100 },
  { name: 'Pride and Prejudice (hardback)', price: 14.95, category: 'books', stock: 3 },
];

export const seed: SeedHandler = async ({ tx }) => {
  for (const book of BOOKS) await tx.create('books', book);
  for (const product of PRODUCTS) await tx.create('products', product);
};
