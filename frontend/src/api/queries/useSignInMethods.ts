import { useQuery } from '@tanstack/react-query';

import { getSignInMethods } from '../authApi';
import { authKeys } from './queryKeys';

/** Read once per page load: a server's sign-in options change with a deploy, not while it runs. */
export function useSignInMethods() {
  return useQuery({ queryKey: authKeys.methods(), queryFn: getSignInMethods, staleTime: Infinity });
}
