// Sign-in through an OpenID provider: authorization code + PKCE by oidc-client-ts, wired into
// React by react-oidc-context. The provider's tokens stay in this page's memory; only the
// sign-in request's own state (the PKCE verifier, where to return) waits in sessionStorage
// for the redirect back. Renewal is silent (the provider's refresh token) and automatic.
import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User as OidcUser } from 'oidc-client-ts';
import { useEffect, useState, type ReactNode } from 'react';
import { AuthProvider, useAuth } from 'react-oidc-context';

import type { OidcProvider } from '../api/types';
import { navigate } from '../hooks/usePath';
import { useSessionStore } from './SessionProvider';

const CALLBACK_PATH = `${import.meta.env.BASE_URL}auth/callback`;

interface SignInState {
  returnTo: string;
}

function createUserManager(provider: OidcProvider): UserManager {
  return new UserManager({
    authority: provider.issuer,
    client_id: provider.client_id,
    redirect_uri: new URL(CALLBACK_PATH, window.location.origin).href,
    scope: 'openid profile email',
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage, prefix: 'helpdesk.oidc.' }),
    automaticSilentRenew: true,
  });
}

function returnAfterSignIn(user: OidcUser | undefined) {
  const state = user?.state as Partial<SignInState> | undefined;
  const returnTo = typeof state?.returnTo === 'string' && state.returnTo.startsWith('/') ? state.returnTo : '/';
  navigate(returnTo, { replace: true });
}

/** Hands each access token the provider issues to the session, which asks the API whose it is. */
function ProviderTokens() {
  const { user, signinSilent, removeUser } = useAuth();
  const store = useSessionStore();
  const accessToken = user && !user.expired ? user.access_token : null;

  useEffect(() => {
    if (!accessToken) return;
    void store.startProviderSession(accessToken, {
      renew: async () => (await signinSilent())?.access_token ?? null,
      signOut: removeUser,
    });
  }, [accessToken, store, signinSilent, removeUser]);

  return null;
}

export function OidcSession({ provider, children }: { provider: OidcProvider; children: ReactNode }) {
  const [userManager] = useState(() => createUserManager(provider));
  return (
    <AuthProvider
      userManager={userManager}
      skipSigninCallback={window.location.pathname !== CALLBACK_PATH}
      onSigninCallback={returnAfterSignIn}
    >
      <ProviderTokens />
      {children}
    </AuthProvider>
  );
}

/** The "Sign in with …" button's state and action. */
export function useProviderSignIn() {
  const auth = useAuth();
  const failed = auth.error && auth.error.source !== 'renewSilent' ? auth.error : null;

  // A failed return from the provider (an error answer, a stale state) leaves its parameters
  // in the address bar; the sign-in page shows the error instead.
  useEffect(() => {
    if (failed && window.location.pathname === CALLBACK_PATH) navigate('/', { replace: true });
  }, [failed]);

  return {
    busy: auth.isLoading || auth.activeNavigator === 'signinRedirect',
    error: failed?.message ?? null,
    signIn: () => {
      const { pathname, search } = window.location;
      const state: SignInState = { returnTo: pathname === CALLBACK_PATH ? '/' : `${pathname}${search}` };
      void auth.signinRedirect({ state });
    },
  };
}
