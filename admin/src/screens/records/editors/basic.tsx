/** Editors for the plain types: text, email, url, integer, number, date, select, json. */
import { fromDraft } from '../drafts';
import type { EditorProps } from './props';
import { controlAttrs } from './props';

/** Text: one line up to 200 characters, a textarea when longer ones are allowed. */
export function TextEditor(p: EditorProps<string>) {
  const long = p.def.max === undefined || p.def.max > 200;
  const common = {
    ...controlAttrs(p),
    value: p.draft,
    maxLength: p.def.max,
    onInput: (e: Event) => p.onChange((e.currentTarget as HTMLInputElement).value),
  };
  return long ? <textarea rows={4} {...common} /> : <input type="text" {...common} />;
}

/** Email and url get their own input types (the phone keyboard, the browser's check). */
export function TypedEditor(p: EditorProps<string>) {
  return (
    <input
      type={p.def.type === 'email' ? 'email' : 'url'}
      {...controlAttrs(p)}
      value={p.draft}
      onInput={(e) => p.onChange(e.currentTarget.value)}
    />
  );
}

export function NumberEditor(p: EditorProps<string>) {
  return (
    <input
      type="number"
      {...controlAttrs(p)}
      value={p.draft}
      min={p.def.min}
      max={p.def.max}
      step={p.def.type === 'integer' ? 1 : 'any'}
      inputMode={p.def.type === 'integer' ? 'numeric' : 'decimal'}
      onInput={(e) => p.onChange(e.currentTarget.value)}
    />
  );
}

/** A date is shown and typed in local time; the save sends it as ISO 8601 UTC. */
export function DateEditor(p: EditorProps<string>) {
  return (
    <input
      type="datetime-local"
      step={1}
      {...controlAttrs(p)}
      value={p.draft}
      onInput={(e) => p.onChange(e.currentTarget.value)}
    />
  );
}

export function SelectEditor(p: EditorProps<string | string[]>) {
  const values = p.def.values ?? [];
  if (p.def.multiple) {
    const chosen = p.draft as string[];
    return (
      <select
        multiple
        size={Math.min(Math.max(values.length, 2), 6)}
        {...controlAttrs(p)}
        onChange={(e) => p.onChange([...e.currentTarget.selectedOptions].map((o) => o.value))}
      >
        {values.map((v) => (
          <option key={v} value={v} selected={chosen.includes(v)}>
            {v}
          </option>
        ))}
      </select>
    );
  }
  return (
    <select
      {...controlAttrs(p)}
      value={p.draft as string}
      onChange={(e) => p.onChange(e.currentTarget.value)}
    >
      <option value="">{p.def.required ? 'Choose…' : '(none)'}</option>
      {values.map((v) => (
        <option key={v} value={v}>
          {v}
        </option>
      ))}
    </select>
  );
}

/** A json field: a textarea checked with JSON.parse as one types, the problem shown beside it. */
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
