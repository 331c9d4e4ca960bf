/**
 * Login throttling (PRODUCT.md, Users, rules, sessions). Failed logins are
 * counted per (email, client address), per client address and per email
 * from any address, within a sliding window:
 * - `perEmail` failures for one email from one address, or `perAddress`
 *   failures from one address: logins from that address answer 429 with
 *   Retry-After until the window lets one more through;
 * - a success from an address clears that address's count for that email
 *   (not the address's own count);
 * - `perEmailTotal` failures for one email from anywhere only slow that
 *   email down: each address may then try it once per `slowDownSeconds`
 *   (at most 60), so the owner's right password from another address still
 *   logs in and no 429 asks anyone to wait longer than that.
 * An attempt counts for its address as soon as it is let through (before
 * the password is checked), in the transaction that checked the limits, so
 * concurrent guesses cannot slip past a limit; a success takes that back.
 * The counts are the store's counters (StoreTx `hit`/`hits`), so every node
 * on one database sees every other node's failures; each counter keeps at
 * most its limit of hits, and hits older than the window are purged.
 */
import { createHash } from 'node:crypto';
import type { Store, StoreTx } from '../store/store.js';
import { Problem } from '../util/problem.js';

export interface LoginThrottleLimits {
  perEmail: number;
  perAddress: number;
  perEmailTotal: number;
  windowSeconds: number;
  slowDownSeconds: number;
}

/** How a let-through attempt ended: a wrong email or password, the right one, or neither (an error). */
export type AttemptOutcome = 'failed' | 'succeeded' | 'abandoned';

/** An attempt let through; settle it once its outcome is known (later calls do nothing). */
export interface LoginAttempt {
  settle(outcome: AttemptOutcome): Promise<void>;
}

/** Longest email or address kept as it is in a key; longer ones are kept as their hash. */
const MAX_KEY_PART = 200;

/** A key part of bounded size: a megabyte-long "email" must not take a megabyte of memory per key. */
function keyPart(value: string): string {
  if (value.length <= MAX_KEY_PART) return value;
  return `#${createHash('sha256').update(value).digest('base64url')}`;
}

function tooMany(seconds: number): Problem {
  return new Problem('tooManyRequests', `Too many failed logins; try again in ${seconds} s.`, {
    headers: { 'Retry-After': String(seconds) },
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (at: string | null) => (at === null ? undefined : Date.parse(at));

export class LoginThrottle {
  constructor(
    private readonly limits: LoginThrottleLimits,
    private readonly store: Store,
  ) {}

  /** Let an attempt for `email` (normalised) from `address` through, or throw a 429 with Retry-After. */
  async begin(email: string, address: string, now: number): Promise<LoginAttempt> {
    const { perEmail, perAddress, perEmailTotal, windowSeconds } = this.limits;
    const since = iso(now - windowSeconds * 1000 + 1);
    const at = iso(now);
    const [who, from] = [keyPart(email), keyPart(address)];
    const keys = { pair: `pair:${from}\u0000${who}`, address: `address:${from}`, email: `email:${who}` };
    // Checked and counted in one transaction: no other attempt, on any node, comes in between.
    const wait = await this.store.transaction(async (tx) => {
      const seconds = await this.wait(tx, keys, since, now);
      if (seconds > 0) return seconds;
      // Held while the password is checked; the email's count (a slow-down, not a limit) waits for the outcome.
      await tx.hit(keys.pair, at, since, perEmail);
      await tx.hit(keys.address, at, since, perAddress);
      return 0;
    });
    if (wait > 0) throw tooMany(wait);
    let settled = false;
    return {
      settle: async (outcome) => {
        if (settled) return;
        settled = true;
        await this.store.transaction(async (tx) => {
          if (outcome === 'failed') {
            await tx.hit(keys.email, at, since, perEmailTotal);
            return;
          }
          if (outcome === 'succeeded') await tx.clearHits(keys.pair);
          else await tx.unhit(keys.pair, at);
          await tx.unhit(keys.address, at);
        });
      },
    };
  }

  /** Whole seconds to wait before the next attempt (0: let it through now). */
  private async wait(
    tx: StoreTx,
    keys: { pair: string; address: string; email: string },
    since: string,
    now: number,
  ): Promise<number> {
    const { perEmail, perAddress, perEmailTotal, windowSeconds, slowDownSeconds } = this.limits;
    const windowMs = windowSeconds * 1000;
    const pair = await tx.hits(keys.pair, since);
    const fromAddress = await tx.hits(keys.address, since);
    const waits: number[] = [];
    // Over a limit: wait until the oldest failure that counts leaves the window
    // (a counter keeps no more hits than its limit, so that is its oldest).
    const oldestPair = ms(pair.oldest);
    if (pair.count >= perEmail && oldestPair !== undefined) waits.push(oldestPair + windowMs - now);
    const oldestAddress = ms(fromAddress.oldest);
    if (fromAddress.count >= perAddress && oldestAddress !== undefined)
      waits.push(oldestAddress + windowMs - now);
    if (waits.length === 0 && (await tx.hits(keys.email, since)).count >= perEmailTotal) {
      // The email is under attack from many addresses: one try per address per slow-down interval.
      const last = ms(pair.newest);
      if (last !== undefined && now - last < slowDownSeconds * 1000) {
        waits.push(Math.min(last + slowDownSeconds * 1000 - now, slowDownSeconds * 1000));
      }
    }
    if (waits.length === 0) return 0;
    return Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  }
}
