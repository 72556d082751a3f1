import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderOptions } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';

import type { Role } from '../api/types';
import { SessionProvider } from '../auth/SessionProvider';
import { createSessionStore } from '../auth/sessionStore';
import { TicketDraftProvider } from '../hooks/useTicketDraft';
import { TEST_USERS } from './fixtures';
import { db } from './mockBackend';

interface RenderWithClientOptions extends RenderOptions {
  /** Signed in with a password as this role's test user (default: the agent); null: signed out. */
  as?: Role | null;
}

/**
 * Renders inside the app's providers, with a fresh query cache and session, and a userEvent
 * session bound to it.
 */
export function renderWithClient(ui: ReactElement, { as = 'agent', ...options }: RenderWithClientOptions = {}) {
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: { retry: false, gcTime: Infinity },
      // A hook that retries a mutation keeps its own policy; the waits are cut to nothing here.
      mutations: { retry: false, retryDelay: 0 },
    },
  });
  const session = createSessionStore();
  if (as) session.startPasswordSession(db.startSession(TEST_USERS[as]));
  const user = userEvent.setup();
  const result = render(
    <QueryClientProvider client={queryClient}>
      <SessionProvider store={session}>
        <TicketDraftProvider>{ui}</TicketDraftProvider>
      </SessionProvider>
    </QueryClientProvider>,
    options,
  );
  return { ...result, user, queryClient, session };
}
