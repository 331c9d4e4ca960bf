/**
 * A relation field: a search box (labelled by the field name) that lists
 * matching records of the related collection, by its first text field or
 * by id, as radio buttons (checkboxes when `multiple`), and the chosen
 * record(s), each with a button to take it off.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../../api';
import type { CollectionInfo, ListPage, RecordData } from '../../model';
import type { EditorProps } from './editors/props';
import { controlAttrs } from './editors/props';

/** The field a record is known by in a picker: the first text (or email) field. */
export function labelField(c: CollectionInfo | undefined): string | null {
  const entry = Object.entries(c?.fields ?? {}).find(([, d]) => d.type === 'text' || d.type === 'email');
  return entry ? entry[0] : null;
}

/** How many matches a picker lists at once. */
const PAGE = 10;

function searchFilter(field: string | null, q: string): string {
  const lit = JSON.stringify(q);
  return field ? `${field} ~ ${lit} || id = ${lit}` : `id ~ ${lit}`;
}

export function RelationPicker(p: EditorProps<string | string[]>) {
  const target = p.target;
  const field = labelField(target);
  const chosen = Array.isArray(p.draft) ? p.draft : p.draft ? [p.draft] : [];
  const [q, setQ] = useState('');
  const [results, setResults] = useState<RecordData[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [labels, setLabels] = useState<Record<string, string>>({});
  const remember = (items: RecordData[]) =>
    setLabels((old) => {
      const next = { ...old };
      for (const r of items) next[r.id] = field && r[field] != null ? String(r[field]) : r.id;
      return next;
    });

  useEffect(() => {
    if (!target) return;
    const timer = setTimeout(() => {
      const filter = q.trim() === '' ? '' : `&filter=${encodeURIComponent(searchFilter(field, q.trim()))}`;
      api<ListPage>('GET', `/api/${seg(target.name)}?perPage=${PAGE}&skipTotal=true${filter}`)
        .then(({ body }) => {
          setFailed(null);
          setResults(body.items);
          remember(body.items);
        })
        .catch((error: Error) => setFailed(error.message));
    }, 200);
    return () => clearTimeout(timer);
  }, [q, target?.name]);

  // The chosen records' names, for those not among the results.
  const unknown = chosen.filter((id) => labels[id] === undefined);
  useEffect(() => {
    if (!target || unknown.length === 0) return;
    const filter = unknown.map((id) => `id = ${JSON.stringify(id)}`).join(' || ');
    api<ListPage>(
      'GET',
      `/api/${seg(target.name)}?perPage=100&skipTotal=true&filter=${encodeURIComponent(filter)}`,
    )
      .then(({ body }) => remember(body.items))
      .catch(() => undefined);
  }, [unknown.join(',')]);

  const set = (ids: string[]) => p.onChange(p.def.multiple ? ids : (ids[ids.length - 1] ?? ''));
  const toggle = (id: string, on: boolean) =>
    set(
      on ? (p.def.multiple ? [...chosen.filter((c) => c !== id), id] : [id]) : chosen.filter((c) => c !== id),
    );
  const resultsId = `${p.inputId}-results`;

  return (
    <div class="relation-picker">
      <input
        type="search"
        {...controlAttrs(p)}
        required={false}
        aria-required={p.def.required ? 'true' : undefined}
        aria-controls={resultsId}
        placeholder={`Search ${target?.name ?? p.def.collection}${field ? ` by ${field} or id` : ' by id'}`}
        autocomplete="off"
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
        // Enter searches (it already does as one types); it must not save the whole form.
        onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
      />
      {chosen.length > 0 ? (
        <ul class="picker-chosen" aria-label={`Chosen for ${p.name}`}>
          {chosen.map((id) => (
            <li key={id}>
              <span>
                {labels[id] ?? '…'} <code>{id}</code>
              </span>
              <button
                type="button"
                class="secondary"
                aria-label={`Remove ${labels[id] ?? id} from ${p.name}`}
                onClick={() => toggle(id, false)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">Nothing chosen.</p>
      )}
      <fieldset id={resultsId} class="picker-box">
        <legend>
          {q.trim()
            ? `Matches in ${target?.name ?? p.def.collection}`
            : `Records of ${target?.name ?? p.def.collection}`}
        </legend>
        {failed ? <p class="field-error">{failed}</p> : null}
        {results && results.length === 0 ? (
          <p class="hint">{q.trim() ? 'No record matches.' : 'There are no records yet.'}</p>
        ) : null}
        {results && results.length === PAGE && !q.trim() ? (
          <p class="hint">The first {PAGE}; type in the search box to find others.</p>
        ) : null}
        <ul class="picker-results">
          {(results ?? []).map((r) => (
            <li key={r.id}>
              <label>
                <input
                  type={p.def.multiple ? 'checkbox' : 'radio'}
                  name={`${p.name}-choice`}
                  value={r.id}
                  checked={chosen.includes(r.id)}
                  onChange={(e) => toggle(r.id, e.currentTarget.checked)}
                />
                {labels[r.id] ?? r.id}&nbsp;<code>{r.id}</code>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
    </div>
  );
}
