import { useMutation } from '@tanstack/react-query';

import { classifyDescription } from '../ticketApi';

/** A mutation, not a query: each call is a fresh suggestion for the text just written. */
export function useClassifyDescription() {
  return useMutation({ mutationFn: classifyDescription });
}
