/**
 * `date`: an ISO 8601 (RFC 3339 profile) date `YYYY-MM-DD`, kept as written,
 * or a date-time, normalised to `toISOString()` form (UTC, milliseconds).
 * A date-time without an offset (what `<input type="datetime-local">` sends)
 * is read as UTC, so the same text always means the same instant.
 */
import type { FieldTypeImpl } from '../field-type.js';
import { fail, ok, wrongType } from './result.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const FORMAT_MESSAGE = 'must be an ISO 8601 date or date-time, e.g. 2024-05-01 or 2024-05-01T12:30:00Z';

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// Checked by hand because Date silently rolls 2023-02-30 over to March 2.
function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= MONTH_DAYS[month - 1] + (month === 2 && isLeap(year) ? 1 : 0);
}

/** Parses an ISO 8601 date or date-time; returns its canonical text, or undefined when invalid. */
export function normaliseDate(text: string): string | undefined {
  const d = DATE.exec(text);
  if (d !== null) return validDay(+d[1], +d[2], +d[3]) ? text : undefined;
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute] = [+m[1], +m[2], +m[3], +m[4], +m[5]];
  const second = m[6] === undefined ? 0 : +m[6];
  if (!validDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  // Digits past milliseconds are dropped: a JavaScript Date cannot hold them.
  const ms = m[7] === undefined ? 0 : +m[7].padEnd(3, '0').slice(0, 3);
  let offset = 0;
  if (m[9] !== undefined) {
    const [oh, om] = [+m[10], +m[11]];
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  // setUTCFullYear keeps years 0–99 literal, where Date.UTC would map them to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offset, second, ms);
  // An offset can push year 0000 or 9999 out of the four-digit form toISOString writes.
  const utcYear = date.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return undefined;
  return date.toISOString();
}

export const date: FieldTypeImpl = {
  type: 'date',
  constraints: [],
  storage: 'text',
  check(value) {
    if (typeof value !== 'string') return wrongType('a date string', value);
    const canonical = normaliseDate(value);
    return canonical === undefined ? fail('format', FORMAT_MESSAGE) : ok(canonical);
  },
  fromForm: (value) => value,
  // Each branch carries its type: generated clients (openapi-typescript) read a branch without one as unknown.
  jsonSchema: () => ({
    anyOf: [
      { type: 'string', format: 'date' },
      { type: 'string', format: 'date-time' },
    ],
  }),
};
