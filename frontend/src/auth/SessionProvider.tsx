import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react';

import { authKeys } from '../api/queries/queryKeys';
import type { User } from '../api/types';
import type { SessionState, SessionStore } from './sessionStore';

const SessionContext = createContext<SessionStore | null>(null);

/** Everything cached for the previous user goes; how to sign in stays. */
function forgetUserData(queryClient: QueryClient) {
  const keep = authKeys.methods()[0];
  void queryClient.cancelQueries({ predicate: (query) => query.queryKey[0] !== keep });
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keep });
}

export function SessionProvider({ store, children }: { store: SessionStore; children: ReactNode }) {
  const queryClient = useQueryClient();

  useEffect(() => {
    void store.restore();
  }, [store]);

  useEffect(
    () =>
      store.subscribe(() => {
        if (store.getState().status === 'signed-out') forgetUserData(queryClient);
      }),
    [store, queryClient],
  );

  return <SessionContext.Provider value={store}>{children}</SessionContext.Provider>;
}

export function useSessionStore(): SessionStore {
  const store = useContext(SessionContext);
  if (!store) throw new Error('useSessionStore needs a SessionProvider above it');
  return store;
}

export function useSession(): SessionState {
  const store = useSessionStore();
  return useSyncExternalStore(store.subscribe, store.getState);
}

/** The signed-in user; only for components that render while someone is signed in. */
export function useCurrentUser(): User {
  const session = useSession();
  if (session.status !== 'signed-in') throw new Error('useCurrentUser needs a signed-in session');
  return session.user;
}
