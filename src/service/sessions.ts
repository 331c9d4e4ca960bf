/** Session tokens: 256 random bits, handed out once, stored only as a SHA-256 hash. */
import { hash, randomBytes } from 'node:crypto';

/** A new token for the client. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a token. */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'base64url');
}
