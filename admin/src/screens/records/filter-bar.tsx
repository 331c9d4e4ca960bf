/**
 * The filter, in the API's own language, applied on submit. A 400 from the
 * server names the 0-based `position` where parsing failed: the bar marks
 * that character under the text and puts the input's caret there.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import type { FieldDef } from '../../model';

/** An example filter in terms of this collection's own fields. */
export function filterExample(fields: Record<string, FieldDef>): string {
  const entries = Object.entries(fields).filter(([, def]) => !def.hidden);
  const number = entries.find(([, def]) => def.type === 'integer' || def.type === 'number')?.[0];
  const text = entries.find(([, def]) => def.type === 'text' || def.type === 'email')?.[0];
  const parts = [number ? `${number} >= 1` : undefined, text ? `${text} ~ "a"` : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join(' && ') : 'created >= "2024-01-01"';
}

/** The position of a filter problem, or null when the error is something else. */
export function filterProblem(error: unknown): { detail: string; position: number | null } | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const { position, type } = error.problem;
  // Another 400 (a sort by an unknown field, say) is not the filter's: the screen shows it on its own.
  if (typeof position !== 'number' && !String(type ?? '').endsWith('/invalid-filter')) return null;
  return { detail: error.message, position: typeof position === 'number' ? position : null };
}

export function FilterBar({
  applied,
  example,
  error,
  onApply,
}: {
  applied: string;
  example: string;
  error: unknown;
  onApply: (filter: string) => void;
}) {
  const [text, setText] = useState(applied);
  const input = useRef<HTMLInputElement>(null);
  const problem = filterProblem(error);
  useEffect(() => setText(applied), [applied]);
  useEffect(() => {
    // Put the caret where the server stopped reading, so the fix starts there.
    if (problem?.position == null || !input.current) return;
    const at = Math.min(problem.position, input.current.value.length);
    input.current.focus();
    input.current.setSelectionRange(at, at);
  }, [problem?.position, problem?.detail]);

  return (
    <form
      class="filter-bar"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(text);
      }}
    >
      <label for="records-filter">Filter</label>
      <span id="filter-hint" class="hint">
        The API’s filter language, e.g. <code>{example}</code>
      </span>
      <div class="filter-row">
        <input
          id="records-filter"
          ref={input}
          type="text"
          value={text}
          autocomplete="off"
          spellcheck={false}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'filter-problem' : 'filter-hint'}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Apply</button>
        {applied ? (
          <button type="button" class="secondary" onClick={() => onApply('')}>
            Clear
          </button>
        ) : null}
      </div>
      {problem ? (
        <div id="filter-problem" class="notice error filter-problem" role="alert">
          <p>{problem.detail}</p>
          {problem.position !== null ? <MarkedFilter text={applied} position={problem.position} /> : null}
        </div>
      ) : null}
    </form>
  );
}

/** The filter with the character at `position` highlighted (a marked space when it is past the end). */
function MarkedFilter({ text, position }: { text: string; position: number }) {
  const at = Math.min(Math.max(position, 0), text.length);
  const char = text.slice(at, at + 1) || ' ';
  return (
    <p class="marked-filter">
      <span class="visually-hidden">At position {at}: </span>
      <code>
        {text.slice(0, at)}
        <mark class="filter-position" data-position={at}>
          {char}
        </mark>
        {text.slice(at + 1)}
      </code>
    </p>
  );
}
