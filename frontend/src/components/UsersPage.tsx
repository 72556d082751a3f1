import { useUsers } from '../api/queries/useUsers';
import { useCurrentUser } from '../auth/SessionProvider';
import { InviteUserForm } from './InviteUserForm';
import { SlaPolicySection } from './SlaPolicyForm';
import { UserRow } from './UserRow';
import { LoadError } from './ui/LoadError';
import { LoadMore } from './ui/LoadMore';
import { Spinner } from './ui/Spinner';

/** Admins: everyone's account, a new one, each one's role and access, and the team's SLA targets. */
export function UsersPage() {
  const me = useCurrentUser();
  const users = useUsers();

  return (
    <main className="mx-auto grid max-w-7xl items-start gap-6 px-4 py-6 sm:px-6 lg:grid-cols-[minmax(0,400px)_minmax(0,1fr)]">
      <div className="space-y-6">
        <InviteUserForm />
        <SlaPolicySection />
      </div>

      <section aria-labelledby="users-heading" className="min-w-0 space-y-4">
        <h2 id="users-heading" className="text-lg font-semibold text-slate-900">
          Users
        </h2>
        {users.isPending ? (
          <p aria-busy="true" className="flex items-center gap-2 text-sm text-slate-500">
            <Spinner /> Loading users…
          </p>
        ) : users.isError && !users.data ? (
          <LoadError title="Users could not be loaded" error={users.error} onRetry={users.refetch} />
        ) : (
          <>
            <ul className="space-y-3" aria-label="Users">
              {users.data.map((user) => (
                <li key={user.id}>
                  <UserRow user={user} isMe={user.id === me.id} />
                </li>
              ))}
            </ul>
            <LoadMore query={users} what="users" />
          </>
        )}
      </section>
    </main>
  );
}
