import { setupServer } from 'msw/node';

import { handlers } from './mockBackend';

export const server = setupServer(...handlers);
