// Deterministic test data: every server is seeded with exactly the same records and ids.

const ADJECTIVES = [
  'Silent',
  'Hidden',
  'Distant',
  'Broken',
  'Golden',
  'Last',
  'Restless',
  'Crimson',
  'Quiet',
  'Endless',
];
const NOUNS = [
  'Garden',
  'River',
  'Empire',
  'Theory',
  'Voyage',
  'Machine',
  'Archive',
  'Harbor',
  'Signal',
  'Forest',
];
const PLACES = [
  'the North',
  'Tomorrow',
  'the Deep Sea',
  'Small Things',
  'the Old City',
  'Glass',
  'the Stars',
];
const SUBTITLES = ['A Novel', 'A History', 'Selected Essays', 'Second Edition', 'Field Notes'];
const FIRST = ['Margaret', 'Ahmed', 'Lucia', 'Kenji', 'Olga', 'Samuel', 'Priya', 'Tomasz', 'Amara', 'Henrik'];
const LAST = ['Okonkwo', 'Lindqvist', 'Fernandes', 'Nakamura', 'Petrova', 'Whitfield', 'Raman', 'Kowalski'];
export const GENRES = ['fiction', 'science', 'history'];
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A small seeded PRNG (mulberry32): same seed, same sequence, on every machine. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];
const int = (rnd, lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

/** An id shaped like a Methodical server id: 15 characters of [a-z0-9]. */
export function makeId(rnd) {
  let id = '';
  for (let i = 0; i < 15; i++) id += ID_ALPHABET[Math.floor(rnd() * ID_ALPHABET.length)];
  return id;
}

/** The writable fields of one record (~200 bytes as JSON with its id). */
export function makeFields(rnd) {
  return {
    title: `The ${pick(rnd, ADJECTIVES)} ${pick(rnd, NOUNS)} of ${pick(rnd, PLACES)}: ${pick(rnd, SUBTITLES)}`,
    author: `${pick(rnd, FIRST)} ${ID_ALPHABET[int(rnd, 0, 25)].toUpperCase()}. ${pick(rnd, LAST)}`,
    year: int(rnd, 1900, 2024),
    genre: pick(rnd, GENRES),
    price: int(rnd, 199, 9999) / 100,
    inStock: rnd() < 0.5,
    isbn: `978-${int(rnd, 0, 9)}-${int(rnd, 10000, 99999)}-${int(rnd, 100, 999)}-${int(rnd, 0, 9)}`,
  };
}

/** `count` records with unique ids, the same for a given seed. */
export function makeDataset(count, seed = 42) {
  const rnd = prng(seed);
  const seen = new Set();
  const records = [];
  while (records.length < count) {
    const id = makeId(rnd);
    if (seen.has(id)) continue;
    seen.add(id);
    records.push({ id, ...makeFields(rnd) });
  }
  return records;
}

/** Up to `size` ids drawn from the records: the pool GET and PUT pick from. */
export function idPool(records, size, seed = 7) {
  if (records.length <= size) return records.map((r) => r.id);
  const rnd = prng(seed);
  const pool = [];
  for (let i = 0; i < size; i++) pool.push(records[Math.floor(rnd() * records.length)].id);
  return pool;
}
