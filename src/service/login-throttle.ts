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
 * the password is checked), so concurrent guesses cannot slip past a limit;
 * a success takes that back. The counts live behind `AttemptCounter` so a shared
 * (database) one can replace the in-memory one.
 */
import { createHash } from 'node:crypto';
import { Problem } from '../util/problem.js';

export interface LoginThrottleLimits {
  perEmail: number;
  perAddress: number;
  perEmailTotal: number;
  windowSeconds: number;
  slowDownSeconds: number;
}

/** Times (ms since the epoch) of failed attempts, per key. */
export interface AttemptCounter {
  /** The times kept for `key` at or after `since`, oldest first. */
  recent(key: string, since: number): readonly number[];
  /** Add a time to `key`, keeping at most the newest `keep`. */
  record(key: string, at: number, keep: number): void;
  /** Take back one time recorded for `key` (an attempt that was not a failure). */
  forget(key: string, at: number): void;
  clear(key: string): void;
}

/** How many keys the in-memory counter holds at most; the least recently touched go first. */
export const MAX_TRACKED_KEYS = 50_000;

/**
 * An in-memory AttemptCounter with bounded memory: each key keeps at most
 * `keep` times, expired times go when the key is read, and past `maxKeys`
 * keys the least recently recorded one is dropped (forgetting failures only
 * ever lets more logins through, it never locks anyone out).
 */
export class MemoryAttemptCounter implements AttemptCounter {
  private readonly times = new Map<string, number[]>();

  constructor(private readonly maxKeys = MAX_TRACKED_KEYS) {}

  get size(): number {
    return this.times.size;
  }

  recent(key: string, since: number): readonly number[] {
    const list = this.times.get(key);
    if (!list) return [];
    const first = list.findIndex((t) => t >= since);
    if (first === -1) {
      this.times.delete(key);
      return [];
    }
    if (first > 0) list.splice(0, first);
    return list;
  }

  record(key: string, at: number, keep: number): void {
    const list = this.times.get(key) ?? [];
    this.times.delete(key);
    list.push(at);
    list.sort((a, b) => a - b);
    if (list.length > keep) list.splice(0, list.length - keep);
    this.times.set(key, list);
    while (this.times.size > this.maxKeys) {
      const oldest = this.times.keys().next().value as string;
      this.times.delete(oldest);
    }
  }

  forget(key: string, at: number): void {
    const list = this.times.get(key);
    if (!list) return;
    const i = list.indexOf(at);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) this.times.delete(key);
  }

  clear(key: string): void {
    this.times.delete(key);
  }
}

/** How a let-through attempt ended: a wrong email or password, the right one, or neither (an error). */
export type AttemptOutcome = 'failed' | 'succeeded' | 'abandoned';

/** An attempt let through; settle it once its outcome is known (later calls do nothing). */
export interface LoginAttempt {
  settle(outcome: AttemptOutcome): void;
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

export class LoginThrottle {
  constructor(
    private readonly limits: LoginThrottleLimits,
    private readonly counter: AttemptCounter = new MemoryAttemptCounter(),
  ) {}

  /** Let an attempt for `email` (normalised) from `address` through, or throw a 429 with Retry-After. */
  begin(email: string, address: string, now: number): LoginAttempt {
    const { perEmail, perAddress, perEmailTotal, windowSeconds, slowDownSeconds } = this.limits;
    const windowMs = windowSeconds * 1000;
    const since = now - windowMs + 1;
    const [who, from] = [keyPart(email), keyPart(address)];
    const keys = { pair: `pair:${from}\u0000${who}`, address: `address:${from}`, email: `email:${who}` };
    const pair = this.counter.recent(keys.pair, since);
    const fromAddress = this.counter.recent(keys.address, since);
    const waits: number[] = [];
    // Over a limit: wait until the oldest failure that counts leaves the window.
    if (pair.length >= perEmail) waits.push(pair[pair.length - perEmail] + windowMs - now);
    if (fromAddress.length >= perAddress)
      waits.push(fromAddress[fromAddress.length - perAddress] + windowMs - now);
    if (waits.length === 0 && this.counter.recent(keys.email, since).length >= perEmailTotal) {
      // The email is under attack from many addresses: one try per address per slow-down interval.
      const last = pair[pair.length - 1];
      if (last !== undefined && now - last < slowDownSeconds * 1000) {
        waits.push(Math.min(last + slowDownSeconds * 1000 - now, slowDownSeconds * 1000));
      }
    }
    if (waits.length > 0) throw tooMany(Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
    // Held while the password is checked; the email's count (a slow-down, not a limit) waits for the outcome.
    this.counter.record(keys.pair, now, perEmail);
    this.counter.record(keys.address, now, perAddress);
    let settled = false;
    return {
      settle: (outcome) => {
        if (settled) return;
        settled = true;
        if (outcome === 'failed') {
          this.counter.record(keys.email, now, perEmailTotal);
          return;
        }
        if (outcome === 'succeeded') this.counter.clear(keys.pair);
        else this.counter.forget(keys.pair, now);
        this.counter.forget(keys.address, now);
      },
    };
  }
}
