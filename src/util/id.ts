import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
// 252 is the largest multiple of 36 below 256: rejecting bytes above it keeps every character equally likely.
const LIMIT = 252;
let pool = Buffer.alloc(0);
let offset = 0;

/** A server-generated record id: `length` random characters of [a-z0-9]. */
export function randomId(length = 15): string {
  let id = '';
  while (id.length < length) {
    if (offset >= pool.length) {
      pool = randomBytes(4096);
      offset = 0;
    }
    const byte = pool[offset++];
    if (byte < LIMIT) id += ALPHABET[byte % 36];
  }
  return id;
}
