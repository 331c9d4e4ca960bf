/**
 * The admin page: who is signed in decides what shows (the sign-in form,
 * a "no access" page for non-admins, or the screens), and the route picks
 * the screen. Everything it knows comes from the public API.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api';
import { type AdminContext, type CollectionInfo, collectionsOf, type Me } from './model';
import { type Route, useRoute } from './router';
import { CollectionScreen } from './screens/collection';
import { Overview } from './screens/overview';
import { RecordScreen } from './screens/record';
import { SetupScreen } from './screens/setup';
import { UsersScreen } from './screens/users';
import { SignIn } from './sign-in';
import { ProblemMessage, ScreenTitle } from './ui';

type Session =
  | { state: 'loading' }
  | { state: 'anonymous' }
  | { state: 'signed-in'; me: Me }
  | { state: 'failed'; error: unknown };

async function signOut(): Promise<void> {
  await api('POST', '/api/auth/logout').catch(() => undefined);
  location.hash = '#/';
  location.reload();
}

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [collections, setCollections] = useState<CollectionInfo[] | null>(null);

  const loadMe = useCallback(async () => {
    try {
      const { body } = await api<Me>('GET', '/api/auth/me');
      setSession({ state: 'signed-in', me: body });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setSession({ state: 'anonymous' });
      else setSession({ state: 'failed', error });
    }
  }, []);

  useEffect(() => {
    loadMe();
  }, [loadMe]);

  const admin = session.state === 'signed-in' && session.me.admin;
  useEffect(() => {
    if (!admin || collections) return;
    api<Record<string, unknown>>('GET', '/api/openapi.json')
      .then(({ body }) => setCollections(collectionsOf(body)))
      .catch((error) => setSession({ state: 'failed', error }));
  }, [admin, collections]);

  if (route.screen === 'setup' && session.state !== 'signed-in') {
    return <Frame>{<SetupScreen token={route.token} onDone={loadMe} />}</Frame>;
  }
  if (session.state === 'loading') return <Frame busy />;
  if (session.state === 'failed') {
    return (
      <Frame>
        <main id="main" class="narrow">
          <ScreenTitle text="Something went wrong" />
          <ProblemMessage error={session.error} />
        </main>
      </Frame>
    );
  }
  if (session.state === 'anonymous') {
    return (
      <Frame>
        <SignIn onSignedIn={loadMe} />
      </Frame>
    );
  }
  const { me } = session;
  if (!me.admin) {
    return (
      <Frame me={me}>
        <main id="main" class="narrow">
          <ScreenTitle text="No access" />
          <p>
            You are signed in as <strong>{me.email}</strong>, who is not an administrator. The admin page is
            for administrators only; ask one to grant you admin, or sign in with another account.
          </p>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </main>
      </Frame>
    );
  }
  if (!collections) return <Frame me={me} busy />;
  const ctx: AdminContext = {
    me,
    collections,
    collection: (name) => collections.find((c) => c.name === name),
  };
  return (
    <Frame me={me} nav={ctx}>
      <Screen route={route} ctx={ctx} />
    </Frame>
  );
}

function Screen({ route, ctx }: { route: Route; ctx: AdminContext }) {
  switch (route.screen) {
    case 'overview':
    case 'setup':
      return <Overview ctx={ctx} />;
    case 'collection': {
      const c = ctx.collection(route.name);
      return c ? (
        <CollectionScreen key={c.name} ctx={ctx} collection={c} query={route.query} />
      ) : (
        <Missing what={route.name} />
      );
    }
    case 'record': {
      const c = ctx.collection(route.name);
      return c ? (
        <RecordScreen key={`${c.name}/${route.id ?? 'new'}`} ctx={ctx} collection={c} id={route.id} />
      ) : (
        <Missing what={route.name} />
      );
    }
    case 'users':
      return <UsersScreen ctx={ctx} query={route.query} />;
    default:
      return <Missing what={route.hash} />;
  }
}

function Missing({ what }: { what: string }) {
  return (
    <main id="main">
      <ScreenTitle text="Not found" />
      <p>
        There is nothing at <code>{what}</code> on this admin page. <a href="#/">See the collections</a>.
      </p>
    </main>
  );
}

/** The page around every screen: a skip link, the header with navigation and the signed-in user. */
function Frame({
  children,
  me,
  nav,
  busy,
}: {
  children?: preact.ComponentChildren;
  me?: Me;
  nav?: AdminContext;
  busy?: boolean;
}) {
  return (
    <>
      <button type="button" class="skip" onClick={skipToMain}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/">
          Methodical admin
        </a>
        {nav ? (
          <nav aria-label="Admin">
            <a href="#/">Collections</a>
            <a href="#/users">Users</a>
            <a href="/_/docs">API docs</a>
          </nav>
        ) : (
          <nav aria-label="Admin">
            <a href="/_/docs">API docs</a>
          </nav>
        )}
        {me ? (
          <div class="who">
            <span>{me.email}</span>
            <button type="button" class="link" onClick={signOut}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      {busy ? (
        <main id="main" aria-busy="true">
          <p class="muted">Loading…</p>
        </main>
      ) : (
        children
      )}
    </>
  );
}

/** A button, not a `#main` link: the hash is the router's. */
function skipToMain() {
  const main = document.getElementById('main');
  main?.querySelector<HTMLElement>('h1')?.focus();
}
