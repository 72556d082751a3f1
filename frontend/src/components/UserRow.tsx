import { useId } from 'react';

import { errorDetail } from '../api/errors';
import { useUpdateUser } from '../api/queries/useManageUsers';
import { ROLE_LABELS, ROLES, type User } from '../api/types';
import { RoleBadge } from './Badges';
import { RelativeTime } from './RelativeTime';
import { ErrorAlert } from './ui/Alert';
import { SelectField } from './ui/SelectField';
import { Spinner } from './ui/Spinner';
import { secondaryButtonClass } from './ui/styles';

/** One account: its role, changed on the spot, and whether it may sign in. */
export function UserRow({ user, isMe }: { user: User; isMe: boolean }) {
  const nameId = useId();
  const update = useUpdateUser();
  const pendingRole = update.isPending ? update.variables?.changes.role : undefined;

  return (
    <article
      aria-labelledby={nameId}
      className={`rounded-xl border bg-white p-4 shadow-sm ${user.disabled ? 'border-dashed border-slate-300' : 'border-slate-200'}`}
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 id={nameId} className="break-words font-semibold text-slate-900">
            {user.name}
            {isMe && <span className="font-normal text-slate-500"> (you)</span>}
          </h3>
          <p className="break-all text-sm text-slate-600">{user.email}</p>
          <p className="mt-1 flex flex-wrap items-center gap-1.5 text-xs text-slate-500">
            <RoleBadge role={user.role} />
            {user.disabled && (
              <span className="rounded-full bg-slate-100 px-2 py-0.5 font-medium text-slate-600 ring-1 ring-inset ring-slate-300">
                Disabled
              </span>
            )}
            <RelativeTime iso={user.created_at} prefix="Joined " />
          </p>
        </div>
        <div className="flex items-end gap-2">
          <SelectField
            label={`Role of ${user.name}`}
            labelStyle="hidden"
            className="w-32"
            value={pendingRole ?? user.role}
            options={ROLES}
            optionLabels={ROLE_LABELS}
            onChange={(role) => role !== user.role && update.mutate({ id: user.id, changes: { role } })}
          />
          <button
            type="button"
            onClick={() => update.mutate({ id: user.id, changes: { disabled: !user.disabled } })}
            disabled={update.isPending}
            aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.name}`}
            className={`${secondaryButtonClass} px-3`}
          >
            {update.isPending && <Spinner />}
            {user.disabled ? 'Enable' : 'Disable'}
          </button>
        </div>
      </div>
      {update.isError && (
        <div className="mt-3">
          <ErrorAlert title={`${user.name} was not changed`}>{errorDetail(update.error)}</ErrorAlert>
        </div>
      )}
    </article>
  );
}
