import { useMutation } from '@tanstack/react-query';

import { useSessionStore } from '../../auth/SessionProvider';
import { signIn, signUp } from '../authApi';

/** Signing in with an email and password; on success the session starts. */
export function usePasswordSignIn() {
  const session = useSessionStore();
  return useMutation({ mutationFn: signIn, onSuccess: session.startPasswordSession });
}

/** Creating a requester account, which signs it in. */
export function useSignUp() {
  const session = useSessionStore();
  return useMutation({ mutationFn: signUp, onSuccess: session.startPasswordSession });
}
