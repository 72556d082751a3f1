import { useId, useState, type FormEvent } from 'react';

import { ApiError, errorDetail, type FieldErrors } from '../api/errors';
import { useMailSettings, useUpdateMailSettings } from '../api/queries/useMail';
import { MAIL_TRANSPORT_LABELS, SENDER_NAME_MAX_CHARS, type MailSettings, type MailSettingsChanges } from '../api/types';
import { useFormFields } from '../hooks/useFormFields';
import { charCount } from '../lib/text';
import { ErrorAlert } from './ui/Alert';
import { LoadError } from './ui/LoadError';
import { Spinner } from './ui/Spinner';
import { SubmitButton } from './ui/SubmitButton';
import { cardClass } from './ui/styles';
import { TextField } from './ui/TextField';

type SettingsFields = { support_address: string; sender_name: string };

const FIELD_NAMES = new Set<string>(['support_address', 'sender_name'] satisfies (keyof SettingsFields)[]);
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** The server's rules that are plain to check here; it alone judges an address fully. */
function validate({ support_address, sender_name }: SettingsFields): FieldErrors {
  const errors: FieldErrors = {};
  if (support_address.trim() && !EMAIL.test(support_address.trim())) {
    errors.support_address = ['Enter an address such as support@example.com.'];
  }
  if (!sender_name.trim()) errors.sender_name = ['Please enter the name mail is sent as.'];
  else if (charCount(sender_name.trim()) > SENDER_NAME_MAX_CHARS) {
    errors.sender_name = [`Use at most ${SENDER_NAME_MAX_CHARS} characters.`];
  }
  return errors;
}

function toChanges({ support_address, sender_name }: SettingsFields): MailSettingsChanges {
  return { support_address: support_address.trim() || null, sender_name: sender_name.trim() };
}

/** Admins: what mail goes out as, where it goes through, and how the outbox stands. */
export function MailSettingsSection() {
  const headingId = useId();
  const settings = useMailSettings();
  return (
    <section aria-labelledby={headingId} className={`${cardClass} p-5`}>
      <h2 id={headingId} className="text-lg font-semibold text-slate-900">
        Email settings
      </h2>
      {settings.data ? (
        <>
          <MailStatus settings={settings.data} />
          <MailSettingsForm settings={settings.data} />
        </>
      ) : settings.isError ? (
        <div className="mt-4">
          <LoadError title="The email settings could not be loaded" error={settings.error} onRetry={settings.refetch} />
        </div>
      ) : (
        <p aria-busy="true" className="mt-4 flex items-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading settings…
        </p>
      )}
    </section>
  );
}

function MailStatus({ settings }: { settings: MailSettings }) {
  return (
    <div role="group" aria-label="Email status" className="mt-4">
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm">
        <dt className="text-slate-500">Transport</dt>
        <dd className="text-slate-900">{MAIL_TRANSPORT_LABELS[settings.transport]}</dd>
        <dt className="text-slate-500">Reply address</dt>
        <dd className="break-all text-slate-900">{settings.reply_address_example ?? 'none until a support address is set'}</dd>
        <dt className="text-slate-500">Queued</dt>
        <dd className="tabular-nums text-slate-900">{settings.queued}</dd>
        <dt className="text-slate-500">Failed</dt>
        <dd className={`tabular-nums ${settings.failed > 0 ? 'font-semibold text-rose-700' : 'text-slate-900'}`}>{settings.failed}</dd>
      </dl>
    </div>
  );
}

function MailSettingsForm({ settings }: { settings: MailSettings }) {
  const form = useFormFields<SettingsFields>({
    support_address: settings.support_address ?? '',
    sender_name: settings.sender_name,
  });
  const update = useUpdateMailSettings();
  const [saved, setSaved] = useState(false);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const errors = validate(form.values);
    form.setErrors(errors);
    if (Object.keys(errors).length > 0) return;
    update.mutate(toChanges(form.values), {
      onSuccess: () => setSaved(true),
      onError: (error) => error instanceof ApiError && form.setErrors(error.fieldErrors),
    });
  }

  const otherErrors = Object.entries(form.errors).filter(([field]) => !FIELD_NAMES.has(field));
  const failedWithoutFields = update.isError && Object.keys(form.errors).length === 0;

  return (
    <form onSubmit={handleSubmit} onChange={() => setSaved(false)} noValidate aria-label="Email settings" className="mt-4 space-y-4">
      <TextField
        label="Support address"
        type="email"
        autoComplete="off"
        placeholder="support@example.com"
        hint="Mail to it opens a ticket, and notifications are sent from it."
        {...form.bind('support_address')}
      />
      <TextField label="Sender name" autoComplete="off" required hint="Shown as who the mail is from." {...form.bind('sender_name')} />
      {otherErrors.length > 0 && (
        <ErrorAlert title="The settings were not saved">
          {otherErrors.map(([field, messages]) => `${field}: ${messages.join(' ')}`).join(' ')}
        </ErrorAlert>
      )}
      {failedWithoutFields && <ErrorAlert title="The settings were not saved">{errorDetail(update.error)}</ErrorAlert>}
      <div aria-live="polite" className="empty:hidden">
        {saved && (
          <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">Email settings saved.</p>
        )}
      </div>
      <SubmitButton pending={update.isPending} label="Save settings" pendingLabel="Saving…" className="w-full" />
    </form>
  );
}
