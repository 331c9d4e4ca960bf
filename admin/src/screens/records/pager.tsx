/** Previous/next, "Page X of Y", the total and how many per page; every change goes through the hash. */
import type { ListPage } from '../../model';
import { type ListState, PER_PAGE_CHOICES } from './list-query';

export function Pager({
  page,
  state,
  onChange,
}: {
  page: ListPage;
  state: ListState;
  onChange: (next: Partial<ListState>) => void;
}) {
  const pages = Math.max(page.totalPages ?? 1, 1);
  const total = page.totalItems ?? page.items.length;
  return (
    <nav class="pager" aria-label="Pages">
      <button
        type="button"
        class="secondary"
        disabled={state.page <= 1}
        onClick={() => onChange({ page: state.page - 1 })}
      >
        Previous
      </button>
      <span class="page-of" aria-live="polite">
        Page {state.page} of {pages}
      </span>
      <button
        type="button"
        class="secondary"
        disabled={state.page >= pages}
        onClick={() => onChange({ page: state.page + 1 })}
      >
        Next
      </button>
      <span class="total">
        {total} {total === 1 ? 'record' : 'records'}
      </span>
      <label class="per-page">
        Per page
        <select
          value={String(state.perPage)}
          onChange={(e) => onChange({ perPage: Number(e.currentTarget.value), page: 1 })}
        >
          {PER_PAGE_CHOICES.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
