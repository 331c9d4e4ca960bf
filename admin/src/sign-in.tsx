/** The sign-in form: POST /api/auth/login, as any client signs in. */
import { useState } from 'preact/hooks';
import { api } from './api';
import { ProblemMessage, ScreenTitle } from './ui';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/auth/login', {
        json: { email: form.get('email'), password: form.get('password') },
      });
      onSignedIn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="narrow" id="main">
      <ScreenTitle text="Sign in" />
      <p>The admin page is for administrators of this server.</p>
      <form onSubmit={submit} class="stack">
        <label>
          Email
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <ProblemMessage error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
