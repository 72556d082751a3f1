// Who is signed in, held in memory only. The access token itself lives in the API client
// (`setCredentials`); this store knows the user, how they signed in, and how that session is
// renewed and ended, and tells React when any of it changes.
import { getMe, refreshSession, signOut as endPasswordSession } from '../api/authApi';
import { replaceAccessToken, setCredentials } from '../api/client';
import { describeError } from '../api/errors';
import type { AuthSession, User } from '../api/types';

/** `expired`: the session ended by itself (not by signing out); `problem`: why signing in failed. */
export type SignedOut = { status: 'signed-out'; expired: boolean; problem: string | null };

export type SessionState = { status: 'restoring' } | SignedOut | { status: 'signed-in'; user: User; via: SignInVia };

export type SignInVia = 'password' | 'oidc';

/** How an OpenID provider's session is renewed and ended (see OidcSession). */
export interface ProviderSession {
  /** A fresh access token, or null when the provider's session is over. */
  renew: () => Promise<string | null>;
  signOut: () => Promise<void>;
}

export interface SessionStore {
  getState: () => SessionState;
  subscribe: (listener: () => void) => () => void;
  /** Once per page load: a built-in session comes back through the refresh cookie. */
  restore: () => Promise<void>;
  /** After signing in or up with a password. */
  startPasswordSession: (session: AuthSession) => void;
  /** After an OpenID provider's sign-in (the API says who the token's holder is), or its renewal. */
  startProviderSession: (accessToken: string, provider: ProviderSession) => Promise<void>;
  signOut: () => Promise<void>;
}

const SIGNED_OUT: SignedOut = { status: 'signed-out', expired: false, problem: null };

export function createSessionStore(): SessionStore {
  let state: SessionState = { status: 'restoring' };
  let endSession: () => Promise<void> = async () => {};
  let restoring: Promise<void> | null = null;
  const listeners = new Set<() => void>();

  function set(next: SessionState) {
    state = next;
    listeners.forEach((listener) => listener());
  }

  function expire() {
    set({ status: 'signed-out', expired: true, problem: null });
  }

  function startPasswordSession(session: AuthSession) {
    endSession = endPasswordSession;
    setCredentials({
      accessToken: session.access_token,
      renew: async () => {
        const renewed = await refreshSession();
        // The role may have changed since: show what the new token grants.
        if (state.status === 'signed-in') set({ ...state, user: renewed.user });
        return renewed.access_token;
      },
      onEnded: expire,
    });
    set({ status: 'signed-in', user: session.user, via: 'password' });
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    restore() {
      if (state.status !== 'restoring') return Promise.resolve();
      restoring ??= refreshSession().then(
        (session) => {
          if (state.status === 'restoring') startPasswordSession(session);
        },
        () => {
          if (state.status === 'restoring') set(SIGNED_OUT);
        },
      );
      return restoring;
    },
    startPasswordSession,
    async startProviderSession(accessToken, provider) {
      if (state.status === 'signed-in' && state.via === 'oidc') {
        // The provider renewed the token on its own, ahead of its expiry.
        replaceAccessToken(accessToken);
        return;
      }
      endSession = provider.signOut;
      setCredentials({ accessToken, renew: provider.renew, onEnded: expire });
      try {
        set({ status: 'signed-in', user: await getMe(), via: 'oidc' });
      } catch (error) {
        setCredentials(null);
        await provider.signOut().catch(() => {});
        set({ ...SIGNED_OUT, problem: `The Helpdesk API did not accept this sign-in. ${describeError(error)}` });
      }
    },
    async signOut() {
      const end = endSession;
      endSession = async () => {};
      setCredentials(null);
      set(SIGNED_OUT);
      // The tokens are gone from this page already; telling the server is a courtesy that may fail.
      await end().catch(() => {});
    },
  };
}
