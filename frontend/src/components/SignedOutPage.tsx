import type { SignInMethods } from '../api/types';
import type { SignedOut } from '../auth/sessionStore';
import { usePath } from '../hooks/usePath';
import { useTicketDraft } from '../hooks/useTicketDraft';
import { Brand } from './Brand';
import { PasswordSignInForm } from './PasswordSignInForm';
import { ProviderSignInButton } from './ProviderSignInButton';
import { SignUpForm } from './SignUpForm';
import { ErrorAlert } from './ui/Alert';
import { AppLink } from './ui/AppLink';
import { cardClass } from './ui/styles';

export const SIGN_UP_PATH = '/signup';

const linkClass = 'font-semibold text-indigo-700 hover:text-indigo-600 hover:underline';

interface SignedOutPageProps {
  methods: SignInMethods;
  session: SignedOut;
}

/** Signing in (or up): the page anyone without a session sees, whatever address they opened. */
export function SignedOutPage({ methods, session }: SignedOutPageProps) {
  const signingUp = usePath() === SIGN_UP_PATH && methods.signup;
  const draft = useTicketDraft();

  return (
    <div className="flex min-h-screen flex-col items-center px-4 py-10 sm:py-16">
      <div className="w-full max-w-sm space-y-6">
        <Brand />
        <main className={`${cardClass} space-y-5 p-5 sm:p-6`}>
          <h2 className="text-lg font-semibold text-slate-900">{signingUp ? 'Create an account' : 'Sign in'}</h2>
          {session.expired && (
            <p role="status" className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              Your session has ended. Please sign in again.
              {draft.hasContent && ' The ticket you were writing is kept.'}
            </p>
          )}
          {session.problem && <ErrorAlert title="Signing in failed">{session.problem}</ErrorAlert>}
          {signingUp ? (
            <>
              <SignUpForm />
              <p className="text-sm text-slate-600">
                Have an account?{' '}
                <AppLink to="/" className={linkClass}>
                  Sign in
                </AppLink>
              </p>
            </>
          ) : (
            <SignInChoices methods={methods} />
          )}
        </main>
      </div>
    </div>
  );
}

function SignInChoices({ methods }: { methods: SignInMethods }) {
  if (!methods.builtin && !methods.oidc) {
    return <ErrorAlert title="No way to sign in">This server offers no sign-in method. Please tell its administrator.</ErrorAlert>;
  }
  return (
    <>
      {methods.oidc && <ProviderSignInButton name={methods.oidc.name} />}
      {methods.oidc && methods.builtin && (
        <p className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-400" aria-hidden="true">
          <span className="h-px flex-1 bg-slate-200" /> or <span className="h-px flex-1 bg-slate-200" />
        </p>
      )}
      {methods.builtin && <PasswordSignInForm />}
      {methods.signup && (
        <p className="text-sm text-slate-600">
          New here?{' '}
          <AppLink to={SIGN_UP_PATH} className={linkClass}>
            Create an account
          </AppLink>
        </p>
      )}
    </>
  );
}
