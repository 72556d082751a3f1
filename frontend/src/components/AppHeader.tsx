import { isStaff, type User } from '../api/types';
import { useSessionStore } from '../auth/SessionProvider';
import { navigate } from '../hooks/usePath';
import { EMAIL_PATH, TICKETS_PATH, USERS_PATH } from '../routes';
import { useTicketDraft } from '../hooks/useTicketDraft';
import { RoleBadge } from './Badges';
import { Brand } from './Brand';
import { AppLink } from './ui/AppLink';
import { secondaryButtonClass } from './ui/styles';

const navLinkClass =
  'rounded-lg px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 ' +
  'aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700';

/** The app's name, its pages for this role, who is signed in, and the way out. */
export function AppHeader({ user }: { user: User }) {
  const session = useSessionStore();
  const draft = useTicketDraft();

  function signOut() {
    // Whoever signs in next on this device starts with an empty form.
    draft.reset();
    navigate(TICKETS_PATH, { replace: true });
    void session.signOut();
  }

  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-3 px-4 py-3 sm:px-6">
        <Brand />
        <nav aria-label="Pages" className="flex gap-1">
          <AppLink to={TICKETS_PATH} className={navLinkClass}>
            {isStaff(user) ? 'Tickets' : 'My tickets'}
          </AppLink>
          {user.role === 'admin' && (
            <AppLink to={USERS_PATH} className={navLinkClass}>
              Users
            </AppLink>
          )}
          {isStaff(user) && (
            <AppLink to={EMAIL_PATH} className={navLinkClass}>
              Email
            </AppLink>
          )}
        </nav>
        <div className="ml-auto flex min-w-0 items-center gap-3">
          <p className="flex min-w-0 flex-wrap items-center justify-end gap-x-2 text-sm">
            <span className="sr-only">Signed in as </span>
            <span className="truncate font-medium text-slate-900" title={user.email}>
              {user.name}
            </span>
            <RoleBadge role={user.role} />
          </p>
          <button type="button" onClick={signOut} className={`${secondaryButtonClass} shrink-0 px-3 py-1.5`}>
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
