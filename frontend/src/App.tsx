import { useSignInMethods } from './api/queries/useSignInMethods';
import { isStaff, type User } from './api/types';
import { OidcSession } from './auth/OidcSession';
import { useSession } from './auth/SessionProvider';
import { AppHeader } from './components/AppHeader';
import { Brand } from './components/Brand';
import { EmailPage } from './components/EmailPage';
import { SignedOutPage } from './components/SignedOutPage';
import { TicketPage } from './components/TicketPage';
import { TicketsPage } from './components/TicketsPage';
import { UnsubscribePage } from './components/UnsubscribePage';
import { UsersPage } from './components/UsersPage';
import { LoadError } from './components/ui/LoadError';
import { Spinner } from './components/ui/Spinner';
import { usePath } from './hooks/usePath';
import { EMAIL_PATH, ticketIdFromPath, UNSUBSCRIBE_PATH, USERS_PATH } from './routes';

/** Which way in the server offers decides what a signed-out visitor sees, so it comes first. */
export function App() {
  const methods = useSignInMethods();
  const session = useSession();
  const path = usePath();

  // A mail's unsubscribe link works for whoever opens it, with or without a session.
  if (path === UNSUBSCRIBE_PATH) return <UnsubscribePage />;

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
  const ticketId = ticketIdFromPath(path);
  return (
    <div className="min-h-screen">
      <AppHeader user={user} />
      {ticketId !== null ? (
        // Keyed, so another ticket starts with an empty reply box and its own scroll.
        <TicketPage key={ticketId} ticketId={ticketId} user={user} />
      ) : path === USERS_PATH && user.role === 'admin' ? (
        <UsersPage />
      ) : path === EMAIL_PATH && isStaff(user) ? (
        <EmailPage />
      ) : (
        <TicketsPage user={user} />
      )}
    </div>
  );
}
