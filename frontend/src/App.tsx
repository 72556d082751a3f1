import { useSignInMethods } from './api/queries/useSignInMethods';
import type { User } from './api/types';
import { OidcSession } from './auth/OidcSession';
import { useSession } from './auth/SessionProvider';
import { AppHeader, USERS_PATH } from './components/AppHeader';
import { Brand } from './components/Brand';
import { SignedOutPage } from './components/SignedOutPage';
import { TicketsPage } from './components/TicketsPage';
import { UsersPage } from './components/UsersPage';
import { LoadError } from './components/ui/LoadError';
import { Spinner } from './components/ui/Spinner';
import { usePath } from './hooks/usePath';

/** Which way in the server offers decides what a signed-out visitor sees, so it comes first. */
export function App() {
  const methods = useSignInMethods();
  const session = useSession();

  if (methods.isError) {
    return (
      <div className="mx-auto max-w-md space-y-6 px-4 py-16">
        <Brand />
        <LoadError title="Helpdesk could not start" error={methods.error} onRetry={methods.refetch} />
      </div>
    );
  }
  if (methods.isPending || session.status === 'restoring') {
    return (
      <p aria-busy="true" className="flex min-h-screen items-center justify-center gap-2 text-sm text-slate-500">
        <Spinner /> Loading…
      </p>
    );
  }

  const page =
    session.status === 'signed-in' ? <SignedIn user={session.user} /> : <SignedOutPage methods={methods.data} session={session} />;
  const { oidc } = methods.data;
  return oidc ? (
    <OidcSession key={`${oidc.issuer} ${oidc.client_id}`} provider={oidc}>
      {page}
    </OidcSession>
  ) : (
    page
  );
}

function SignedIn({ user }: { user: User }) {
  const path = usePath();
  return (
    <div className="min-h-screen">
      <AppHeader user={user} />
      {path === USERS_PATH && user.role === 'admin' ? <UsersPage /> : <TicketsPage user={user} />}
    </div>
  );
}
