// Signing in and out. The refresh token travels only in the server's HttpOnly cookie, scoped to
// /api/auth; these calls send it (`withCredentials`, so it also works from another origin of the
// same site) and never see it.
import { client } from './client';
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

/** A new access token for the refresh cookie (which the server replaces); 401 when the session is over. */
export async function refreshSession(): Promise<AuthSession> {
  return (await client.post<AuthSession>('/auth/refresh', undefined, session)).data;
}

export async function signOut(): Promise<void> {
  await client.post('/auth/logout', undefined, session);
}

/** The caller, as the API knows them: how a token from an OpenID provider becomes a user and a role. */
export async function getMe(): Promise<Me> {
  return (await client.get<Me>('/me')).data;
}
