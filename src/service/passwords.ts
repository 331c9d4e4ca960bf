/**
 * Password hashing with Argon2id at OWASP's recommended parameters
 * (19 MiB, 2 iterations, 1 lane). Verification of an unknown account runs
 * against a dummy hash, so both failures take the same time.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { Problem } from '../util/problem.js';

// 2 is Algorithm.Argon2id (a const enum, which verbatimModuleSyntax cannot import).
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** 422 unless the password is a string of 8 to 256 characters. */
export function checkPassword(password: unknown): string {
  if (typeof password !== 'string') {
    throw new Problem('validation', 'A password is required.', {
      errors: [{ field: 'password', code: 'required', message: 'is required' }],
    });
  }
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw new Problem(
      'validation',
      `The password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long.`,
      {
        errors: [
          {
            field: 'password',
            code: length < PASSWORD_MIN ? 'min' : 'max',
            message: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`,
          },
        ],
      },
    );
  }
  return password;
}

/** An Argon2id PHC string for a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummy: Promise<string> | undefined;

/** Check a password against a stored hash, or against a dummy when there is none. */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  const target = stored ?? (await dummy);
  try {
    const ok = await verify(target, password);
    return ok && stored !== undefined;
  } catch {
    return false;
  }
}
