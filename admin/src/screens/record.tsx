/** One record's form: create, edit with If-Match, delete (to be built). */
import type { AdminContext, CollectionInfo } from '../model';
import { ScreenTitle } from '../ui';

export function RecordScreen({
  collection,
  id,
}: {
  ctx: AdminContext;
  collection: CollectionInfo;
  id: string | null;
}) {
  return (
    <main id="main">
      <ScreenTitle text={id === null ? `New ${collection.name} record` : `${collection.name} ${id}`} />
    </main>
  );
}
