/**
 * Small typed readers for config values. Each either returns the value as
 * the expected type or throws a ConfigError naming the path, what was
 * expected and what was found. `collect` keeps going past a failed part,
 * so one run lists every problem.
 */
import { isPlainObject } from '../util/is-plain-object.js';
import { ConfigError, ConfigErrors } from './config-error.js';

/** A plain object read from the config, without a prototype so `constructor` and friends are never inherited. */
export type RawObject = Record<string, unknown>;

/** The path of `key` inside `path`: `a.b`, or `a["POST /x"]` for keys that are not identifiers. */
export function at(path: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Names a value for a message: `the string "yes"`, `an array`, `the number 5`… */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return String(value);
    case 'function':
      return 'a function';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** "a, b or c" */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

const DURATION = /^([0-9]+)\s*([smhd]?)$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** Reads config values for one file; a problem throws ConfigError, which `collect` records. */
export class Checker {
  /** Problems recorded so far (by `collect`, and unknown keys). */
  readonly problems: ConfigError[] = [];

  constructor(readonly file: string) {}

  /**
   * Runs one independent part of the check: its problem is recorded and
   * `fallback` stands in for its value, so the other parts are checked too.
   */
  collect<T>(fallback: T, part: () => T): T {
    try {
      return part();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.problems.push(...(error instanceof ConfigErrors ? error.problems : [error]));
      return fallback;
    }
  }

  /** Throws every problem recorded, in one ConfigError. */
  finish(): void {
    if (this.problems.length > 0) throw ConfigErrors.of(this.problems);
  }

  fail(path: string, problem: string): never {
    throw new ConfigError(this.file, path, problem);
  }

  expected(path: string, what: string, value: unknown): never {
    return this.fail(path, `expected ${what}, found ${describe(value)}`);
  }

  /** A plain object, copied onto a null prototype; `keys` lists what it may contain. */
  object(value: unknown, path: string, keys?: readonly string[]): RawObject {
    if (!isPlainObject(value)) {
      return this.expected(path, 'an object', value);
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return this.expected(path, 'a plain object', value);
    const copy: RawObject = Object.create(null);
    for (const [key, item] of Object.entries(value)) {
      if (keys !== undefined && !keys.includes(key)) {
        // Recorded, not thrown: the known keys are still checked, and every unknown one is named.
        this.collect(undefined, () =>
          this.fail(at(path, key), `unknown key ${JSON.stringify(key)}; allowed keys are ${listWords(keys)}`),
        );
        continue;
      }
      copy[key] = item;
    }
    return copy;
  }

  boolean(value: unknown, path: string): boolean {
    return typeof value === 'boolean' ? value : this.expected(path, 'true or false', value);
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') return this.expected(path, 'a string', value);
    if (value === '') this.fail(path, 'expected a non-empty string');
    return value;
  }

  /** An array of non-empty strings. */
  strings(value: unknown, path: string): string[] {
    if (!Array.isArray(value)) return this.expected(path, 'an array of strings', value);
    return value.map((item, i) => this.string(item, `${path}[${i}]`));
  }

  /** A finite number. */
  number(value: unknown, path: string): number {
    return typeof value === 'number' && Number.isFinite(value)
      ? value
      : this.expected(path, 'a number', value);
  }

  /** A whole number ≥ `least` (0 for lengths and counts, 1 for limits). */
  integer(value: unknown, path: string, least: number): number {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= least) return value;
    return this.expected(
      path,
      least === 1 ? 'a positive whole number' : `a whole number of at least ${least}`,
      value,
    );
  }

  /** Seconds as a positive whole number, or a string like `30m`, `24h`, `7d`; returns seconds. */
  duration(value: unknown, path: string): number {
    const what = 'a duration: seconds as a number, or a string like "30m", "24h" or "7d"';
    if (typeof value === 'number') {
      return Number.isSafeInteger(value) && value > 0 ? value : this.expected(path, what, value);
    }
    const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
    const seconds = match === null ? 0 : Number(match[1]) * UNIT_SECONDS[match[2]];
    return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : this.expected(path, what, value);
  }
}
