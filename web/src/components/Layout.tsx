import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useQuery } from '@apollo/client/react';
import { Me } from '../operations';
import { endSession, useSession } from '../session';
import { useConnectionState } from '../connection';
import { useUnreadCount } from '../notifications/useUnreadCount';
import { Avatar } from './Avatar';

/** The frame of every signed-in page: where to go, the unread badge, the connection's state. */
export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const me = useQuery(Me).data?.me;
  const unread = useUnreadCount();
  const [location] = useLocation();
  // The session's Apollo client, cache and socket go with it (App.tsx).
  const logOut = () => endSession();
  const here = (href: string) => (location === href ? 'page' : undefined);
  return (
    <>
      <a href="#content" className="skip">
        Skip to content
      </a>
      <header className="top">
        <nav aria-label="Main">
          <Link href="/" className="brand" aria-current={here('/')}>
            Chirp
          </Link>
          <Link href="/" aria-current={here('/')}>
            Home
          </Link>
          <Link href="/notifications" aria-current={here('/notifications')} data-testid="notifications-link">
            Notifications
            {unread > 0 ? (
              <span className="badge" data-testid="unread-badge">
                <span className="visually-hidden">, </span>
                {unread > 99 ? '99+' : unread}
                <span className="visually-hidden"> unread</span>
              </span>
            ) : null}
          </Link>
          {session ? (
            <Link href={`/u/${session.handle}`} aria-current={here(`/u/${session.handle}`)} className="me">
              <Avatar url={me?.avatarUrl} name={me?.displayName ?? session.handle} size={28} />
              <span className="label">Profile</span>
            </Link>
          ) : null}
          <button type="button" className="link" onClick={logOut}>
            Log out
          </button>
        </nav>
      </header>
      <ConnectionBanner />
      <div id="content">{children}</div>
    </>
  );
}

/** Said while the live connection is down, and gone when it is back. */
function ConnectionBanner() {
  const state = useConnectionState();
  return (
    <div className="connection" role="status" data-state={state}>
      {state === 'reconnecting' ? "Connection lost. Reconnecting… New tweets will appear when it's back." : null}
    </div>
  );
}
