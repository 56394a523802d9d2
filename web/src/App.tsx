import { Link, Redirect, Route, Switch } from 'wouter';
import { ApolloProvider } from '@apollo/client/react';
import { createChirpClient, type ChirpClient } from './apollo';
import { ConnectionProvider } from './connection';
import { useSession, type Session } from './session';
import { Layout } from './components/Layout';
import { EditProfile } from './pages/EditProfile';
import { Home } from './pages/Home';
import { LogIn } from './pages/LogIn';
import { NotFound } from './pages/NotFound';
import { Notifications } from './pages/Notifications';
import { ProfileRoute } from './pages/Profile';
import { SignUp } from './pages/SignUp';
import { Welcome } from './pages/Welcome';

let active: { token: string | null; client: ChirpClient } | undefined;

/**
 * One Apollo client per session: signing in or out starts a fresh cache
 * and live connection, so nothing one person saw is shown to the next.
 * Kept here rather than in a component's state, so that React's double
 * rendering in development cannot dispose of the client in use.
 */
function clientFor(session: Session | null): ChirpClient {
  const token = session?.token ?? null;
  if (active?.token === token) return active.client;
  active?.client.dispose();
  active = { token, client: createChirpClient(session) };
  return active.client;
}

export function App() {
  const session = useSession();
  const client = clientFor(session);
  return (
    <ApolloProvider client={client.apollo}>
      <ConnectionProvider status={client.connection}>{session ? <SignedIn /> : <SignedOut />}</ConnectionProvider>
    </ApolloProvider>
  );
}

function SignedIn() {
  return (
    <Layout>
      <Switch>
        <Route path="/" component={Home} />
        <Route path="/notifications" component={Notifications} />
        <Route path="/settings/profile" component={EditProfile} />
        <Route path="/u/:handle/:tab?" component={ProfileRoute} />
        <Route path="/login">
          <Redirect to="/" />
        </Route>
        <Route path="/signup">
          <Redirect to="/" />
        </Route>
        <Route>
          <NotFound />
        </Route>
      </Switch>
    </Layout>
  );
}

function SignedOut() {
  return (
    <Switch>
      <Route path="/" component={Welcome} />
      <Route path="/login" component={LogIn} />
      <Route path="/signup" component={SignUp} />
      <Route path="/u/:handle/:tab?">
        <VisitorHeader />
        <ProfileRoute />
      </Route>
      <Route>
        <Redirect to="/login" />
      </Route>
    </Switch>
  );
}

/** A profile read signed out: where to join. */
function VisitorHeader() {
  return (
    <header className="top">
      <nav aria-label="Main">
        <Link href="/" className="brand">
          Chirp
        </Link>
        <Link href="/login">Log in</Link>
        <Link href="/signup">Sign up</Link>
      </nav>
    </header>
  );
}
