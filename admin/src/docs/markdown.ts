/**
 * The small markdown subset our OpenAPI descriptions use, parsed into plain
 * data (never HTML): paragraphs split by blank lines, `code`, **bold** and
 * [links](url). The page turns these into elements, so a description can
 * never inject markup. Pure, so the node tests can check it.
 */

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'bold'; children: Inline[] }
  | { kind: 'link'; href: string; children: Inline[] };

export type Block = { kind: 'paragraph'; children: Inline[] } | { kind: 'list'; items: Inline[][] };

/** Only links a reader can follow safely: http(s), same-site paths and in-page anchors. */
export function safeHref(href: string): string | undefined {
  const h = href.trim();
  if (/^https?:\/\//i.test(h)) return h;
  if (/^\/(?!\/)/.test(h) || h.startsWith('#')) return h;
  return undefined;
}

/** Blocks: paragraphs between blank lines; a run of `- item` lines is a list. */
export function parseMarkdown(source: string | undefined): Block[] {
  if (!source) return [];
  const blocks: Block[] = [];
  for (const chunk of source.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    if (lines.every((l) => /^\s*[-*] /.test(l))) {
      blocks.push({ kind: 'list', items: lines.map((l) => parseInline(l.replace(/^\s*[-*] /, ''))) });
    } else {
      blocks.push({ kind: 'paragraph', children: parseInline(lines.map((l) => l.trim()).join(' ')) });
    }
  }
  return blocks;
}

/** Inline spans, left to right; anything unmatched stays text (an unclosed ` or ** is literal). */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i) {
        flush();
        out.push({ kind: 'code', text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    } else if (ch === '*' && text[i + 1] === '*') {
      const end = text.indexOf('**', i + 2);
      if (end > i + 2) {
        flush();
        out.push({ kind: 'bold', children: parseInline(text.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    } else if (ch === '[') {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(text.slice(i));
      if (link) {
        flush();
        const href = safeHref(link[2]);
        const children = parseInline(link[1]);
        // An unsafe target keeps its words but loses the link.
        if (href) out.push({ kind: 'link', href, children });
        else out.push(...children);
        i += link[0].length;
        continue;
      }
    }
    plain += ch;
    i++;
  }
  flush();
  return out;
}

/** The text of inline spans without their marks (for search and titles). */
export function plainText(spans: Inline[]): string {
  return spans.map((s) => (s.kind === 'text' || s.kind === 'code' ? s.text : plainText(s.children))).join('');
}
