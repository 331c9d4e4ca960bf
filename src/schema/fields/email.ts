/**
 * `email`: a pragmatic address check (what people type, not all of RFC 5322):
 * a local part without spaces or specials, and a domain of two or more
 * labels. The domain is lowercased; the local part is kept as written,
 * since some mail servers treat it case-sensitively.
 */
import type { FieldTypeImpl } from '../field-type.js';
import { fail, ok, wrongType } from './result.js';

const LOCAL = /^[^\s@"(),:;<>[\\\]\p{Cc}]{1,64}$/u;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const MAX_LENGTH = 254;

/** Returns the address with its domain lowercased, or undefined when it is not a usable address. */
export function normaliseEmail(text: string): string | undefined {
  if (text.length > MAX_LENGTH) return undefined;
  const at = text.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).toLowerCase();
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return undefined;
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  // A numeric last label is an IP-like host, not a mail domain.
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return undefined;
  return `${local}@${domain}`;
}

export const email: FieldTypeImpl = {
  type: 'email',
  constraints: [],
  storage: 'text',
  check(value) {
    if (typeof value !== 'string') return wrongType('an email address string', value);
    const normal = normaliseEmail(value);
    return normal === undefined
      ? fail('format', 'must be an email address like name@example.com')
      : ok(normal);
  },
  fromForm: (value) => value,
  jsonSchema: () => ({ type: 'string', format: 'email', maxLength: MAX_LENGTH }),
};
