import '@testing-library/jest-dom/vitest';

import { cleanup, configure } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';

import { setCredentials } from '../api/client';
import { db } from './mockBackend';
import { server } from './server';

// How long findBy*/waitFor wait for the UI. Testing Library's 1 s default is shorter than a
// first render of the whole app takes on a loaded 2-core CI runner (two files failed so, each on
// its first test); the assertions are unchanged, they only wait longer before failing.
configure({ asyncUtilTimeout: 5_000 });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));

let consoleErrors: unknown[][] = [];

beforeEach(() => {
  db.reset();
  setCredentials(null);
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
  consoleErrors = [];
  // A React warning or an unexpected request is a failed test, not background noise.
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args);
  });
});

afterEach(() => {
  cleanup();
  server.resetHandlers();
  if (consoleErrors.length > 0) {
    throw new Error(`console.error was called:\n${consoleErrors.map((args) => args.map(String).join(' ')).join('\n')}`);
  }
});

afterAll(() => server.close());
