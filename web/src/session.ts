import { useSyncExternalStore } from 'react';

/** Who is signed in on this browser: what logIn or signUp returned. */
export interface Session {
  token: string;
  userId: string;
  handle: string;
}

/** The one storage key the client keeps; tests and the benchmark sign in by writing it. */
export const SESSION_KEY = 'chirp.session';

const listeners = new Set<() => void>();
let current: Session | null = readStored();

function readStored(): Session | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null');
    if (value && typeof value === 'object' && 'token' in value && 'userId' in value && 'handle' in value) {
      const { token, userId, handle } = value as Record<string, unknown>;
      if (typeof token === 'string' && typeof userId === 'string' && typeof handle === 'string') return { token, userId, handle };
    }
  } catch {
    // Unreadable storage (private mode, a hand-edited value): signed out.
  }
  return null;
}

function publish(session: Session | null): void {
  current = session;
  for (const listener of listeners) listener();
}

/** Signs in on this browser (every tab: see the storage listener below). */
export function startSession(session: Session): void {
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  publish(session);
}

/** Why a session ended, shown on the log-in page; null when the person logged out. */
let endReason: string | null = null;

export function endSession(reason: string | null = null): void {
  endReason = reason;
  localStorage.removeItem(SESSION_KEY);
  publish(null);
}

/** The reason the last session ended, once. */
export function takeEndReason(): string | null {
  const reason = endReason;
  endReason = null;
  return reason;
}

// Logging in or out in one tab does the same in the others.
window.addEventListener('storage', (event) => {
  if (event.key === SESSION_KEY) publish(readStored());
});

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, () => current);
}
