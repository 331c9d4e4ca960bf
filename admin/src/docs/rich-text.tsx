/** Descriptions as elements: the markdown subset of markdown.ts, never innerHTML. */
import { type Inline, parseInline, parseMarkdown } from './markdown';

function Spans({ spans }: { spans: Inline[] }) {
  return (
    <>
      {spans.map((s, i) => {
        switch (s.kind) {
          case 'text':
            return s.text;
          case 'code':
            return <code key={i}>{s.text}</code>;
          case 'bold':
            return <strong key={i}>{<Spans spans={s.children} />}</strong>;
          case 'link':
            return (
              <a key={i} href={s.href} rel={s.href.startsWith('http') ? 'noopener noreferrer' : undefined}>
                <Spans spans={s.children} />
              </a>
            );
          default:
            return null;
        }
      })}
    </>
  );
}

/** A description of several paragraphs (and lists). */
export function RichText({ text, class: className }: { text?: unknown; class?: string }) {
  if (typeof text !== 'string' || text.trim() === '') return null;
  return (
    <div class={className ?? 'rich'}>
      {parseMarkdown(text).map((b, i) =>
        b.kind === 'paragraph' ? (
          <p key={i}>
            <Spans spans={b.children} />
          </p>
        ) : (
          <ul key={i}>
            {b.items.map((item, j) => (
              <li key={j}>
                <Spans spans={item} />
              </li>
            ))}
          </ul>
        ),
      )}
    </div>
  );
}

/** One line of description inside a table cell: inline marks only. */
export function InlineText({ text }: { text?: unknown }) {
  if (typeof text !== 'string' || text === '') return null;
  return <Spans spans={parseInline(text.replace(/\s*\n\s*/g, ' '))} />;
}
