import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './App';
import { configureApi } from './api/client';
import { loadRuntimeConfig } from './api/runtimeConfig';
import { SessionProvider } from './auth/SessionProvider';
import { createSessionStore } from './auth/sessionStore';
import { TicketDraftProvider } from './hooks/useTicketDraft';
import './index.css';
import { createQueryClient } from './lib/queryClient';

// The runtime config.json decides where the API is, so it is read before the first request.
void loadRuntimeConfig().then((runtimeConfig) => {
  configureApi(runtimeConfig);
  const queryClient = createQueryClient();
  const session = createSessionStore();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <SessionProvider store={session}>
          <TicketDraftProvider>
            <App />
          </TicketDraftProvider>
        </SessionProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
});
