/**
 * "New user": POST /api/auth/register as the signed-in admin (admins may
 * create admins), with one Idempotency-Key per form so a double submit
 * makes one user.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, idempotencyKey } from '../api';
import type { RecordData } from '../model';
import { fieldErrors, ProblemMessage } from '../ui';

export function NewUserForm({
  onCreated,
  onCancel,
}: {
  onCreated: (user: RecordData) => void;
  onCancel: () => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // One key for this form's life: a retry of the same submission replays the first answer.
  const key = useRef(idempotencyKey());
  const errors = fieldErrors(error);
  const first = useRef<HTMLInputElement>(null);
  // The form opens where the keyboard is: on its first field.
  useEffect(() => first.current?.focus(), []);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(form.get('name') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      const { body } = await api<RecordData>('POST', '/api/auth/register', {
        json: {
          email: form.get('email'),
          password: form.get('password'),
          ...(name ? { name } : {}),
          admin: form.get('admin') === 'on',
        },
        headers: { 'idempotency-key': key.current },
      });
      onCreated(body);
    } catch (e) {
      // A corrected form is a new request with a key of its own (a 409 is kept with its key);
      // after a lost connection the same request is retried with the same key.
      if (!(e instanceof ApiError) || e.status !== 0) key.current = idempotencyKey();
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field: string) =>
    errors[field] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `new-user-${field}-error` } : {};
  const problem = (field: string) =>
    errors[field] ? (
      <p class="field-error" id={`new-user-${field}-error`}>
        {errors[field]}
      </p>
    ) : null;

  return (
    <form class="stack panel new-user" onSubmit={submit} aria-labelledby="new-user-title">
      <h2 id="new-user-title">New user</h2>
      <div class="field">
        <label for="new-user-email">Email</label>
        <input
          ref={first}
          id="new-user-email"
          name="email"
          type="email"
          autocomplete="off"
          required
          {...invalid('email')}
        />
        {problem('email')}
      </div>
      <div class="field">
        <label for="new-user-password">Password</label>
        <input
          id="new-user-password"
          name="password"
          type="password"
          autocomplete="new-password"
          minLength={8}
          maxLength={256}
          required
          {...invalid('password')}
        />
        {problem('password')}
      </div>
      <div class="field">
        <label for="new-user-name">Name</label>
        <input id="new-user-name" name="name" type="text" maxLength={200} {...invalid('name')} />
        {problem('name')}
      </div>
      <div class="field">
        <label class="check">
          <input name="admin" type="checkbox" />
          Administrator
        </label>
      </div>
      <ProblemMessage error={error} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          Create user
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
