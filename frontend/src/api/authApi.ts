// Signing in and out. The refresh token travels only in the server's HttpOnly cookie, scoped to
// /api/auth; these calls send it (`withCredentials`, so it also works from another origin of the
// same site) and never see it.
import { client } from './client';
import { ApiError } from './errors';
import type { AuthSession, Me, NewAccount, PasswordSignIn, SignInMethods } from './types';

const session = { session: true, withCredentials: true } as const;

export async function getSignInMethods(): Promise<SignInMethods> {
  return (await client.get<SignInMethods>('/auth/methods', { session: true })).data;
}

export async function signIn(credentials: PasswordSignIn): Promise<AuthSession> {
  return (await client.post<AuthSession>('/auth/login', credentials, session)).data;
}

export async function signUp(account: NewAccount): Promise<AuthSession> {
  return (await client.post<AuthSession>('/auth/signup', account, session)).data;
}

/**
 * How often a renewal refused for the server's per-address limit (429, as when many people
 * behind one address reload at once) is tried again, waiting as the server asks: the cookie
 * is still good (the limit answers before it is read), so the session must not end over it.
 */
const RATE_LIMITED_RENEWALS = 3;
const LONGEST_WAIT_SECONDS = 10;

/** A new access token for the refresh cookie (which the server replaces); 401 when the session is over. */
export async function refreshSession(): Promise<AuthSession> {
  for (let retries = 0; ; retries++) {
    try {
      return (await client.post<AuthSession>('/auth/refresh', undefined, session)).data;
    } catch (error) {
      if (!(error instanceof ApiError) || !error.isTooManyRequests || retries >= RATE_LIMITED_RENEWALS) throw error;
      const seconds = Math.min(error.retryAfterSeconds ?? 1, LONGEST_WAIT_SECONDS);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}

export async function signOut(): Promise<void> {
  await client.post('/auth/logout', undefined, session);
}

/** The caller, as the API knows them: how a token from an OpenID provider becomes a user and a role. */
export async function getMe(): Promise<Me> {
  return (await client.get<Me>('/me')).data;
}
