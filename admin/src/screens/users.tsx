/**
 * Users: a paged table with a search by email, and per user granting or
 * taking away admin (PATCH with If-Match), signing out everywhere (DELETE
 * /api/users/{id}/sessions) and a link to the record's form; "New user"
 * registers one. Search and page live in the hash, so reload and back work.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, seg } from '../api';
import type { AdminContext, ListPage, RecordData } from '../model';
import { navigate } from '../router';
import { Notice, ProblemMessage, ScreenTitle } from '../ui';
import { useConfirm } from './confirm-dialog';
import { NewUserForm } from './user-new';
import { UserRow } from './user-row';
import './users.css';

const PER_PAGE = 20;

/** The hash of the users screen for a search and a page. */
function usersHref(q: string, page: number): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const search = params.toString();
  return `#/users${search ? `?${search}` : ''}`;
}

/** The list request: a JSON string literal is a valid filter string (same escapes). */
function listPath(q: string, page: number): string {
  const params = new URLSearchParams({ sort: 'email', page: String(page), perPage: String(PER_PAGE) });
  if (q) params.set('filter', `email ~ ${JSON.stringify(q)}`);
  return `/api/users?${params}`;
}

type Message = { tone: 'ok' | 'info'; text: string } | { tone: 'error'; error: unknown } | null;

export function UsersScreen({ ctx, query }: { ctx: AdminContext; query: URLSearchParams }) {
  const q = query.get('q') ?? '';
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const [list, setList] = useState<ListPage | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [message, setMessage] = useState<Message>(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const { ask, dialog } = useConfirm();

  const load = useCallback(async () => {
    try {
      const { body } = await api<ListPage>('GET', listPath(q, page));
      setList(body);
      setLoadError(null);
    } catch (e) {
      setLoadError(e);
    }
  }, [q, page]);

  useEffect(() => {
    load();
  }, [load]);

  async function setAdmin(user: RecordData, admin: boolean) {
    const email = String(user.email);
    const self = user.id === ctx.me.id;
    if (self && !admin) {
      const yes = await ask({
        title: 'Take away your own admin?',
        body: (
          <p>
            You are signed in as <strong>{email}</strong>. Without admin you lose this admin page as soon as
            it is done, and another administrator has to give it back.
          </p>
        ),
        confirm: 'Take away my admin',
        danger: true,
      });
      if (!yes) return;
    }
    setBusy(user.id);
    setMessage(null);
    try {
      // If-Match of the version this row shows: a change made since is a 412, never overwritten.
      const current = await api<RecordData>('GET', `/api/users/${seg(user.id)}`);
      const etag = current.headers.get('etag');
      if (current.body.updated !== user.updated || !etag) throw new ApiError(412, {});
      await api('PATCH', `/api/users/${seg(user.id)}`, {
        json: { admin },
        contentType: 'application/merge-patch+json',
        headers: { 'if-match': etag },
      });
      if (self && !admin) {
        location.hash = '#/';
        location.reload();
        return;
      }
      setMessage({
        tone: 'ok',
        text: admin ? `${email} is now an administrator.` : `${email} is no longer an administrator.`,
      });
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        setMessage({
          tone: 'info',
          text: `Someone changed ${email} meanwhile; the list is reloaded. Check it and try again.`,
        });
      } else setMessage({ tone: 'error', error: e });
    } finally {
      setBusy(null);
      await load();
    }
  }

  async function signOutEverywhere(user: RecordData) {
    const email = String(user.email);
    const self = user.id === ctx.me.id;
    const yes = await ask({
      title: `Sign ${email} out everywhere?`,
      body: (
        <p>
          Every session of {email} ends: their browsers and API tokens must sign in again.
          {self ? ' That includes this page: you will be signed out too.' : ''}
        </p>
      ),
      confirm: 'Sign out everywhere',
      danger: true,
    });
    if (!yes) return;
    setBusy(user.id);
    setMessage(null);
    try {
      await api('DELETE', `/api/users/${seg(user.id)}/sessions`);
      if (self) {
        location.hash = '#/';
        location.reload();
        return;
      }
      setMessage({ tone: 'ok', text: `${email} is signed out everywhere.` });
    } catch (e) {
      setMessage({ tone: 'error', error: e });
    } finally {
      setBusy(null);
    }
  }

  function search(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    navigate(usersHref(String(form.get('q') ?? '').trim(), 1));
  }

  const total = list?.totalPages ?? 1;
  return (
    <main id="main" class="users-screen">
      <ScreenTitle text="Users" />
      <div class="users-bar">
        <form class="users-search" aria-label="Search users" onSubmit={search}>
          <label for="users-q">Search by email</label>
          <div class="inline">
            <input id="users-q" name="q" type="search" value={q} key={q} />
            <button type="submit" class="secondary">
              Search
            </button>
          </div>
        </form>
        {creating ? null : (
          <button type="button" onClick={() => setCreating(true)}>
            New user
          </button>
        )}
      </div>
      {creating ? (
        <NewUserForm
          onCancel={() => setCreating(false)}
          onCreated={(user) => {
            setCreating(false);
            setMessage({
              tone: 'ok',
              text: `Created ${String(user.email)}${user.admin ? ' (administrator)' : ''}.`,
            });
            load();
          }}
        />
      ) : null}
      {message === null ? null : message.tone === 'error' ? (
        <ProblemMessage error={message.error} />
      ) : (
        <Notice tone={message.tone}>{message.text}</Notice>
      )}
      {loadError ? <ProblemMessage error={loadError} /> : null}
      {list === null && !loadError ? <p class="muted">Loading…</p> : null}
      {list ? (
        <>
          <div class="table-wrap">
            <table class="users">
              <caption class="visually-hidden">Users{q ? ` whose email contains “${q}”` : ''}</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Admin</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.items.length === 0 ? (
                  <tr>
                    <td colSpan={5}>{q ? `No user’s email contains “${q}”.` : 'No users yet.'}</td>
                  </tr>
                ) : (
                  list.items.map((user) => (
                    <UserRow
                      key={user.id}
                      user={user}
                      self={user.id === ctx.me.id}
                      busy={busy === user.id}
                      onAdmin={(admin) => setAdmin(user, admin)}
                      onSignOut={() => signOutEverywhere(user)}
                    />
                  ))
                )}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages of users">
            <button
              type="button"
              class="secondary"
              disabled={page <= 1}
              onClick={() => navigate(usersHref(q, page - 1))}
            >
              Previous page
            </button>
            <span>
              Page {list.page} of {Math.max(1, total)}
              {list.totalItems === null
                ? ''
                : ` · ${list.totalItems} ${list.totalItems === 1 ? 'user' : 'users'}`}
            </span>
            <button
              type="button"
              class="secondary"
              disabled={page >= total}
              onClick={() => navigate(usersHref(q, page + 1))}
            >
              Next page
            </button>
          </nav>
        </>
      ) : null}
      {dialog}
    </main>
  );
}
