import { useId, useState, type FormEvent } from 'react';

import { ApiError, errorDetail, type FieldErrors } from '../api/errors';
import { useInviteUser } from '../api/queries/useManageUsers';
import { ROLE_LABELS, ROLES, type Invitation, type Role, type User } from '../api/types';
import { useFormFields } from '../hooks/useFormFields';
import { PASSWORD_HINT, passwordProblem } from '../lib/password';
import { ErrorAlert } from './ui/Alert';
import { SelectField } from './ui/SelectField';
import { SubmitButton } from './ui/SubmitButton';
import { cardClass } from './ui/styles';
import { TextField } from './ui/TextField';

type InvitationFields = {
  email: string;
  name: string;
  role: Role;
  password: string;
};

const EMPTY: InvitationFields = { email: '', name: '', role: 'requester', password: '' };

function validate({ email, name, password }: InvitationFields): FieldErrors {
  const errors: FieldErrors = {};
  if (!email.trim()) errors.email = ['Please enter their email address.'];
  if (!name.trim()) errors.name = ['Please enter their name.'];
  const problem = password && passwordProblem(password);
  if (problem) errors.password = [problem];
  return errors;
}

function toInvitation({ email, name, role, password }: InvitationFields): Invitation {
  return { email: email.trim(), name: name.trim(), role, ...(password ? { password } : {}) };
}

/** An account for someone else, with a role, and a password to pass on (or none). */
export function InviteUserForm() {
  const headingId = useId();
  const form = useFormFields<InvitationFields>(EMPTY);
  const [invited, setInvited] = useState<User | null>(null);
  const invite = useInviteUser();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setInvited(null);
    const errors = validate(form.values);
    form.setErrors(errors);
    if (Object.keys(errors).length > 0) return;
    invite.mutate(toInvitation(form.values), {
      onSuccess: (user) => {
        form.reset();
        setInvited(user);
      },
      onError: (error) => error instanceof ApiError && form.setErrors(error.fieldErrors),
    });
  }

  const failedWithoutFields = invite.isError && Object.keys(form.errors).length === 0;

  return (
    <section aria-labelledby={headingId} className={`${cardClass} p-5`}>
      <h2 id={headingId} className="text-lg font-semibold text-slate-900">
        Invite someone
      </h2>
      <form onSubmit={handleSubmit} onChange={() => setInvited(null)} noValidate className="mt-4 space-y-4">
        <TextField label="Email" type="email" autoComplete="off" required {...form.bind('email')} />
        <TextField label="Name" autoComplete="off" required {...form.bind('name')} />
        <SelectField label="Role" options={ROLES} optionLabels={ROLE_LABELS} {...form.bind('role')} />
        <TextField
          label="Password (optional)"
          type="password"
          autoComplete="new-password"
          hint={`${PASSWORD_HINT} Pass it on to them; without one they can sign in only through your organisation's provider.`}
          {...form.bind('password')}
        />
        {failedWithoutFields && <ErrorAlert title="Nobody was invited">{errorDetail(invite.error)}</ErrorAlert>}
        <div aria-live="polite" className="empty:hidden">
          {invited && (
            <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              {invited.name} ({invited.email}) was added as {ROLE_LABELS[invited.role].toLowerCase()}.
            </p>
          )}
        </div>
        <SubmitButton pending={invite.isPending} label="Invite" pendingLabel="Inviting…" className="w-full" />
      </form>
    </section>
  );
}
