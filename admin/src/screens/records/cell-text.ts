/** A field's value as one short line of a table cell (the form shows it whole). */
import type { FieldDef } from '../../model';

const MAX = 60;

function shorten(text: string): string {
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}

/** Shown in the table; dates are left as stored (ISO 8601 UTC), so sorting by them reads right. */
export function cellText(def: FieldDef | undefined, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && def?.type !== 'json') return shorten(value.map(String).join(', '));
  switch (def?.type) {
    case 'boolean':
      return value === true ? 'yes' : 'no';
    case 'json':
      return shorten(JSON.stringify(value));
    default:
      return shorten(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}
