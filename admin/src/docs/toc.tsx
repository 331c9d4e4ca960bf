/**
 * The table of contents: every operation by tag as "METHOD /path — summary",
 * narrowed by a search box. It sits beside the content on a wide window and
 * folds into a <details> above it on a phone.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { MethodBadge, PathText } from './fold';
import { anchor, matches, opAnchor, shownSummary, type TagGroup } from './openapi';

const WIDE = '(min-width: 900px)';

export function Contents({ groups, schemaCount }: { groups: TagGroup[]; schemaCount: number }) {
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(() => window.matchMedia(WIDE).matches);
  const details = useRef<HTMLDetailsElement>(null);

  // Crossing the breakpoint shows the contents beside the page, or folds them above it.
  useEffect(() => {
    const media = window.matchMedia(WIDE);
    const follow = () => setOpen(media.matches);
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, []);

  const total = groups.reduce((n, g) => n + g.operations.length, 0);
  const shown = groups
    .map((g) => ({ ...g, operations: g.operations.filter((o) => matches(o, query)) }))
    .filter((g) => g.operations.length > 0);
  const count = shown.reduce((n, g) => n + g.operations.length, 0);

  // On a phone, following a link folds the contents first (before the jump), so it lands where the section now is.
  useEffect(() => {
    const el = details.current;
    if (!el) return;
    const fold = (e: MouseEvent) => {
      if ((e.target as HTMLElement | null)?.closest('a') && !window.matchMedia(WIDE).matches) el.open = false;
    };
    el.addEventListener('click', fold);
    return () => el.removeEventListener('click', fold);
  }, []);

  return (
    <nav class="toc" aria-label="Contents">
      <details
        ref={details}
        open={open}
        onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
      >
        <summary>Contents</summary>
        <div class="toc-body">
          <ul class="toc-top">
            <li>
              <a href="#main">Introduction</a>
            </li>
            <li>
              <a href="#authentication">Authentication</a>
            </li>
          </ul>
          <label for="docs-search">Filter operations</label>
          <input
            id="docs-search"
            type="search"
            value={query}
            placeholder="Path, method or summary"
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          />
          <p class="muted toc-count" role="status">
            {count === total ? `${total} operations` : `${count} of ${total} operations`}
          </p>
          {shown.map((g) => (
            <div class="toc-group" key={g.name}>
              <a class="toc-tag" href={`#${anchor('tag', g.name)}`}>
                {g.name}
              </a>
              <ul>
                {g.operations.map((o) => (
                  <li key={o.id} class={o.method === 'head' || o.method === 'options' ? 'minor' : undefined}>
                    <a href={`#${opAnchor(o)}`} data-operation={o.id}>
                      <MethodBadge method={o.method} />{' '}
                      <span class="toc-path">
                        <PathText path={o.path} />
                      </span>
                      {shownSummary(o) ? <span class="toc-summary"> — {shownSummary(o)}</span> : null}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
          {count === 0 ? <p class="muted">No operation matches “{query}”.</p> : null}
          <ul class="toc-top">
            <li>
              <a href="#schemas">Schemas ({schemaCount})</a>
            </li>
          </ul>
        </div>
      </details>
    </nav>
  );
}
