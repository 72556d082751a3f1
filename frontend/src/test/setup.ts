import '@testing-library/jest-dom/vitest';

import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';

import { setCredentials } from '../api/client';
import { db } from './mockBackend';
import { server } from './server';

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
