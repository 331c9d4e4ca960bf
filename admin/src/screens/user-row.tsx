/**
 * One user in the users table: email, name, admin, created, and the
 * actions, whose accessible names say which user they act on.
 */
import type { RecordData } from '../model';
import { recordHref } from '../router';

export function UserRow({
  user,
  self,
  busy,
  onAdmin,
  onSignOut,
}: {
  user: RecordData;
  self: boolean;
  busy: boolean;
  onAdmin: (admin: boolean) => void;
  onSignOut: () => void;
}) {
  const email = String(user.email);
  const admin = user.admin === true;
  return (
    <tr data-user={email}>
      <td data-label="Email" class="email">
        {email}
        {self ? <span class="muted"> (you)</span> : null}
      </td>
      <td data-label="Name">{user.name === null || user.name === undefined ? '' : String(user.name)}</td>
      <td data-label="Admin">{admin ? 'Yes' : 'No'}</td>
      <td data-label="Created">
        <time dateTime={user.created}>{user.created.slice(0, 16).replace('T', ' ')}</time>
      </td>
      <td data-label="Actions" class="actions-cell">
        <div class="row-actions">
          {admin ? (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              aria-label={`Take away admin from ${email}`}
              onClick={() => onAdmin(false)}
            >
              Take away admin
            </button>
          ) : (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              aria-label={`Grant admin to ${email}`}
              onClick={() => onAdmin(true)}
            >
              Grant admin
            </button>
          )}
          <button
            type="button"
            class="secondary"
            disabled={busy}
            aria-label={`Sign out everywhere: ${email}`}
            onClick={onSignOut}
          >
            Sign out everywhere
          </button>
          <a href={recordHref('users', user.id)} aria-label={`Edit ${email}`}>
            Edit
          </a>
        </div>
      </td>
    </tr>
  );
}
