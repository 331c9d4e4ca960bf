/** Users: list, create, grant or take away admin, sign out everywhere (to be built). */
import type { AdminContext } from '../model';
import { ScreenTitle } from '../ui';

export function UsersScreen(_props: { ctx: AdminContext; query: URLSearchParams }) {
  return (
    <main id="main">
      <ScreenTitle text="Users" />
    </main>
  );
}
