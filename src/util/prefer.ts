/** The Prefer header's `return` preference (RFC 7240 §4.2). */
export function preferReturn(value: string | undefined): 'minimal' | 'representation' | undefined {
  if (!value) return undefined;
  for (const member of value.split(',')) {
    const [token] = member.split(';');
    const [k, v] = token.split('=').map((s) => s.trim().toLowerCase());
    if (k === 'return' && (v === 'minimal' || v === 'representation')) return v;
  }
  return undefined;
}
