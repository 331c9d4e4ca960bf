/**
 * What each editor holds while the admin types (a "draft"), how a record's
 * value becomes one and how a draft becomes the value the API takes. A
 * field counts as changed when its draft differs from the draft it started
 * as, so a date shown without its milliseconds is not "changed" by opening it.
 */
import type { FieldDef } from '../../model';

export interface FileDraft {
  /** Stored names still kept, in order. */
  kept: string[];
  /** Files chosen to upload. */
  added: File[];
}

export type Draft = string | boolean | null | string[] | FileDraft;

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An ISO 8601 instant as a datetime-local value in the browser's time zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local value (local time) as ISO 8601 UTC. */
export function fromLocalInput(local: string): string | null {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function toDraft(def: FieldDef, value: unknown): Draft {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v == null ? [] : [String(v)]);
  switch (def.type) {
    case 'file':
      return { kept: list(value), added: [] };
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'json':
      return value === null || value === undefined ? '' : JSON.stringify(value, null, 2);
    case 'date':
      return typeof value === 'string' ? toLocalInput(value) : '';
    case 'select':
    case 'relation':
      return def.multiple ? list(value) : value == null ? '' : String(value);
    default:
      return value === null || value === undefined ? '' : String(value);
  }
}

/** The API value of a draft (file fields are handled by the save plan, not here). */
export function fromDraft(def: FieldDef, draft: Draft): Parsed {
  if (Array.isArray(draft)) return { ok: true, value: draft };
  if (typeof draft === 'boolean' || draft === null) return { ok: true, value: draft };
  if (typeof draft !== 'string') return { ok: true, value: null };
  if (draft.trim() === '' && def.type !== 'text') return { ok: true, value: null };
  switch (def.type) {
    case 'integer':
    case 'number': {
      const n = Number(draft);
      if (!Number.isFinite(n)) return { ok: false, message: 'must be a number' };
      return { ok: true, value: n };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(draft) };
      } catch (error) {
        return { ok: false, message: `is not valid JSON: ${(error as Error).message}` };
      }
    case 'date': {
      const iso = fromLocalInput(draft);
      return iso === null ? { ok: false, message: 'is not a date and time' } : { ok: true, value: iso };
    }
    default:
      // An emptied text field unsets the value, as a merge patch with null does.
      return { ok: true, value: draft === '' ? null : draft };
  }
}

/** Drafts compared by content (files by what is kept and how many are added). */
export function sameDraft(a: Draft, b: Draft): boolean {
  if (a !== null && typeof a === 'object' && !Array.isArray(a) && b !== null && typeof b === 'object') {
    const fb = b as FileDraft;
    return JSON.stringify(a.kept) === JSON.stringify(fb.kept) && a.added.length === (fb.added?.length ?? 0);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A value as the text parts of a multipart form, or null when a form
 * cannot carry it: the server reads a form's text by the field's type, and
 * a json field's number, boolean or `{`-looking string would come back as
 * something else. Such values go in a JSON request instead.
 */
export function formParts(def: FieldDef, value: unknown): string[] | null {
  if (value === null) return [''];
  if (Array.isArray(value)) {
    if (def.type === 'json') return [JSON.stringify(value)];
    return value.length === 0 ? [''] : value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  }
  switch (def.type) {
    case 'json':
      if (typeof value === 'object') return [JSON.stringify(value)];
      return typeof value === 'string' && value !== '' && !/^\s*[[{]/.test(value) ? [value] : null;
    case 'integer':
      return Number.isSafeInteger(value) ? [String(value)] : null;
    case 'number':
      return typeof value === 'number' && Number(String(value)) === value ? [String(value)] : null;
    case 'boolean':
      return [value ? 'true' : 'false'];
    default:
      return typeof value === 'string' && value !== '' ? [value] : null;
  }
}
