/** The first admin, from the one-time link `methodical serve` prints (to be built). */
import { ScreenTitle } from '../ui';

export function SetupScreen(_props: { token: string; onDone: () => void }) {
  return (
    <main id="main" class="narrow">
      <ScreenTitle text="Create the first administrator" />
    </main>
  );
}
