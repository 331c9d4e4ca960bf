/** A collection's records: filter, sort, paging (to be built). */
import type { AdminContext, CollectionInfo } from '../model';
import { recordHref } from '../router';
import { ScreenTitle } from '../ui';

export function CollectionScreen({
  collection,
}: {
  ctx: AdminContext;
  collection: CollectionInfo;
  query: URLSearchParams;
}) {
  return (
    <main id="main">
      <ScreenTitle text={collection.name} />
      <a class="button" href={recordHref(collection.name, null)}>
        New record
      </a>
    </main>
  );
}
