import type { ReactNode } from 'react';

import type { SignInMethods } from '../api/types';
import type { SignedOut } from '../auth/sessionStore';
import { usePath } from '../hooks/usePath';
import { useTicketDraft } from '../hooks/useTicketDraft';
import { Brand } from './Brand';
import { PasswordSignInForm } from './PasswordSignInForm';
import { ProviderSignInButton } from './ProviderSignInButton';
import { SignUpForm } from './SignUpForm';
import { TicketForm } from './TicketForm';
import { ErrorAlert } from './ui/Alert';
import { AppLink } from './ui/AppLink';
import { cardClass, secondaryButtonClass } from './ui/styles';

export const SIGN_UP_PATH = '/signup';
/** A request from someone without an account, where the server takes them (`PUBLIC_SUBMISSION`). */
export const PUBLIC_REQUEST_PATH = '/request';

const linkClass = 'font-semibold text-indigo-700 hover:text-indigo-600 hover:underline';

interface SignedOutPageProps {
  methods: SignInMethods;
  session: SignedOut;
}

/**
 * Signing in (or up), or sending a request without an account: the page anyone without a session
 * sees, whatever address they opened.
 */
export function SignedOutPage({ methods, session }: SignedOutPageProps) {
  const path = usePath();

  if (path === PUBLIC_REQUEST_PATH && methods.public_submission) {
    // The ticket form is a card of its own, and wider than the sign-in forms.
    return (
      <Column width="max-w-lg">
        <main className="space-y-4">
          <SessionNotices session={session} />
          <TicketForm />
          <HaveAnAccount className="text-center" />
        </main>
      </Column>
    );
  }

  const signingUp = path === SIGN_UP_PATH && methods.signup;
  return (
    <Column width="max-w-sm">
      <main className={`${cardClass} space-y-5 p-5 sm:p-6`}>
        <h2 className="text-lg font-semibold text-slate-900">{signingUp ? 'Create an account' : 'Sign in'}</h2>
        <SessionNotices session={session} />
        {signingUp ? (
          <>
            <SignUpForm />
            <HaveAnAccount />
          </>
        ) : (
          <SignInChoices methods={methods} />
        )}
      </main>
    </Column>
  );
}

function Column({ width, children }: { width: string; children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center px-4 py-10 sm:py-16">
      <div className={`w-full ${width} space-y-6`}>
        <Brand />
        {children}
      </div>
    </div>
  );
}

function HaveAnAccount({ className = '' }: { className?: string }) {
  return (
    <p className={`text-sm text-slate-600 ${className}`}>
      Have an account?{' '}
      <AppLink to="/" className={linkClass}>
        Sign in
      </AppLink>
    </p>
  );
}

/** Why this person is signed out, when it was not their choice. */
function SessionNotices({ session }: { session: SignedOut }) {
  const draft = useTicketDraft();
  return (
    <>
      {session.expired && (
        <p role="status" className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Your session has ended. Please sign in again.
          {draft.hasContent && ' The ticket you were writing is kept.'}
        </p>
      )}
      {session.problem && <ErrorAlert title="Signing in failed">{session.problem}</ErrorAlert>}
    </>
  );
}

function SignInChoices({ methods }: { methods: SignInMethods }) {
  const canSignIn = methods.builtin || methods.oidc;
  return (
    <>
      {!canSignIn && (
        <ErrorAlert title="No way to sign in">This server offers no sign-in method. Please tell its administrator.</ErrorAlert>
      )}
      {methods.oidc && <ProviderSignInButton name={methods.oidc.name} />}
      {methods.oidc && methods.builtin && <OrDivider />}
      {methods.builtin && <PasswordSignInForm />}
      {methods.signup && (
        <p className="text-sm text-slate-600">
          New here?{' '}
          <AppLink to={SIGN_UP_PATH} className={linkClass}>
            Create an account
          </AppLink>
        </p>
      )}
      {methods.public_submission && (
        <>
          {canSignIn && <OrDivider />}
          <AppLink to={PUBLIC_REQUEST_PATH} className={`${secondaryButtonClass} w-full text-center`}>
            Submit a request without an account
          </AppLink>
        </>
      )}
    </>
  );
}

function OrDivider() {
  return (
    <p className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-400" aria-hidden="true">
      <span className="h-px flex-1 bg-slate-200" /> or <span className="h-px flex-1 bg-slate-200" />
    </p>
  );
}
