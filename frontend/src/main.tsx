import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './App';
import { loadRuntimeConfig } from './api/runtimeConfig';
import { configureApi } from './api/ticketApi';
import './index.css';
import { createQueryClient } from './lib/queryClient';

// The runtime config.json decides where the API is, so it is read before the first request.
void loadRuntimeConfig().then((runtimeConfig) => {
  configureApi(runtimeConfig);
  const queryClient = createQueryClient();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
});
