/**
 * A collection's records: the filter (the API's language, errors shown at
 * their position), sort by column, paging. All state is in the hash query,
 * so reload and back show the same page; the API does the querying. The
 * page shown is read again when the collection changes (live, debounced).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { useDebounced, useLive } from '../live';
import type { AdminContext, CollectionInfo, ListPage } from '../model';
import { collectionHref, navigate, recordHref } from '../router';
import { Notice, ProblemMessage, ScreenTitle } from '../ui';
import { FilterBar, filterExample, filterProblem } from './records/filter-bar';
import { takeFlash } from './records/flash';
import { type ListState, listStateOf, listUrl, queryOf } from './records/list-query';
import { Pager } from './records/pager';
import { RecordsTable } from './records/table';
import './records/records.css';

/** Changes within this long are one refresh. */
const LIVE_DEBOUNCE_MS = 250;

/** The last page loaded stays shown (marked busy) while the next one loads, so the table does not jump. */
type Load =
  | { state: 'loading' }
  | { state: 'ok'; page: ListPage; url: string }
  | { state: 'failed'; error: unknown };

export function CollectionScreen({
  collection,
  query,
}: {
  ctx: AdminContext;
  collection: CollectionInfo;
  query: URLSearchParams;
}) {
  const state = listStateOf(query);
  const url = listUrl(collection.name, state);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [flash] = useState(takeFlash);
  // Bumped by a live change: the current page is read again.
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState('');
  const refresh = useDebounced(() => setVersion((v) => v + 1), LIVE_DEBOUNCE_MS);
  useLive(collection.name, refresh);

  useEffect(() => {
    let current = true;
    setLoad((old) => (old.state === 'ok' ? old : { state: 'loading' }));
    api<ListPage>('GET', url)
      .then(({ body }) => {
        if (!current) return;
        setLoad({ state: 'ok', page: body, url });
        if (version > 0) setLive(`Updated live at ${new Date().toLocaleTimeString()}.`);
      })
      .catch((error) => current && setLoad({ state: 'failed', error }));
    return () => {
      current = false;
    };
  }, [url, version]);

  const go = (next: Partial<ListState>) =>
    navigate(collectionHref(collection.name, queryOf({ ...state, ...next })));
  const error = load.state === 'failed' ? load.error : null;
  const badFilter = state.filter !== '' && filterProblem(error) !== null;

  return (
    <main id="main" class="records-screen">
      <div class="title-row">
        <ScreenTitle text={collection.name} />
        {/* A button, as PRODUCT.md names it; it opens the new record's form (a hash route). */}
        <button type="button" onClick={() => navigate(recordHref(collection.name, null))}>
          New record
        </button>
      </div>
      {flash ? <Notice tone="ok">{flash}</Notice> : null}
      <FilterBar
        applied={state.filter}
        example={filterExample(collection.fields)}
        error={badFilter ? error : null}
        onApply={(filter) => go({ filter, page: 1 })}
      />
      {error && !badFilter ? <ProblemMessage error={error} /> : null}
      {load.state === 'loading' ? (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      ) : null}
      {load.state === 'ok' ? (
        <div aria-busy={load.url !== url ? 'true' : undefined}>
          <RecordsTable
            collection={collection}
            items={load.page.items}
            sort={state.sort}
            onSort={(sort) => go({ sort, page: 1 })}
          />
          <Pager page={load.page} state={state} onChange={go} />
        </div>
      ) : null}
      <p class="muted live-status" role="status" aria-live="polite">
        {live}
      </p>
    </main>
  );
}
