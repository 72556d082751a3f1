import { QueryClient } from '@tanstack/react-query';

import { ApiError } from '../api/errors';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 4xx will not heal by asking again; network blips and 5xx might.
        retry: (failureCount, error) =>
          failureCount < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
      mutations: {
        // Mutations are not retried unless their hook says so (only a create, whose key makes a
        // repeat safe); when they are, 0.5 s, 1 s, 2 s… keeps the wait short for the person
        // watching the spinner while giving a restarting server a moment.
        retryDelay: (failureCount) => Math.min(500 * 2 ** failureCount, 4_000),
      },
    },
  });
}
