/**
 * The first admin, from the one-time link `methodical serve` prints while
 * there is none: POST /api/auth/setup with the link's token creates the
 * admin and signs this browser in, as any client would.
 */
import { cloneElement, type VNode } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { navigate } from '../router';
import { fieldErrors, ProblemMessage, ScreenTitle } from '../ui';

/** What to do about a refusal, beside the server's own detail. */
function Advice({ error }: { error: unknown }) {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 409) {
    return (
      <p>
        This server has an administrator already, so this link is no longer needed. <a href="#/">Sign in</a>.
      </p>
    );
  }
  if (error.status === 403) {
    return (
      <p class="muted">
        Each start of the server without an administrator prints a new link on its terminal (stderr).
      </p>
    );
  }
  return null;
}

export function SetupScreen({ token, onDone }: { token: string; onDone: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(form.get('name') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/auth/setup', {
        json: {
          token,
          email: form.get('email'),
          password: form.get('password'),
          ...(name ? { name } : {}),
        },
      });
      // Signed in by the answer's cookie: the link has done its job, so it leaves the address bar.
      navigate('#/');
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="narrow">
      <ScreenTitle text="Create the first administrator" />
      <p>
        This server has no administrator yet. The account you create here will be one, and you will be signed
        in as it. The link works once.
      </p>
      <form onSubmit={submit} class="stack">
        <Field name="email" label="Email" error={errors.email}>
          <input id="setup-email" name="email" type="email" autocomplete="username" required />
        </Field>
        <Field name="password" label="Password" hint="8 to 256 characters." error={errors.password}>
          <input
            id="setup-password"
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={8}
            maxLength={256}
            required
          />
        </Field>
        <Field name="name" label="Name" hint="Optional." error={errors.name}>
          <input id="setup-name" name="name" type="text" autocomplete="name" maxLength={200} />
        </Field>
        {error ? (
          <div>
            <ProblemMessage error={error} />
            <Advice error={error} />
          </div>
        ) : null}
        <button type="submit" disabled={busy}>
          Create administrator
        </button>
      </form>
    </main>
  );
}

/** A labelled input with its hint and its field problem, both announced with it. */
function Field({
  name,
  label,
  hint,
  error,
  children,
}: {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  children: VNode<Record<string, unknown>>;
}) {
  const id = `setup-${name}`;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {cloneElement(children, {
        'aria-invalid': error ? 'true' : undefined,
        'aria-describedby': described || undefined,
      })}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
