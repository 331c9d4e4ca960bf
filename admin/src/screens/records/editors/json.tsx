/** A json field: a textarea checked with JSON.parse as one types, the problem shown beside it. */
import { fromDraft } from '../drafts';
import type { EditorProps } from './props';
import { controlAttrs } from './props';

export function JsonEditor(p: EditorProps<string>) {
  const parsed = fromDraft(p.def, p.draft);
  const problemId = `${p.inputId}-json`;
  return (
    <>
      <textarea
        class="code"
        rows={5}
        spellcheck={false}
        {...controlAttrs(p)}
        aria-invalid={p.invalid || !parsed.ok ? 'true' : undefined}
        aria-describedby={`${p.describedBy} ${problemId}`}
        value={p.draft}
        onInput={(e) => p.onChange(e.currentTarget.value)}
      />
      <p id={problemId} class={parsed.ok ? 'hint' : 'field-error'} aria-live="polite">
        {parsed.ok ? (p.draft.trim() === '' ? 'Empty: no value.' : 'Valid JSON.') : `JSON ${parsed.message}`}
      </p>
    </>
  );
}
