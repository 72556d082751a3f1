import { useId, useState, type FormEvent } from 'react';

import { ApiError, errorDetail, type FieldErrors } from '../api/errors';
import { useSlaPolicy, useUpdateSlaPolicy } from '../api/queries/useSlaPolicy';
import { PRIORITIES, PRIORITY_LABELS, SLA_MAX_MINUTES, type Priority, type SlaPolicy, type SlaTargets } from '../api/types';
import { useFormFields } from '../hooks/useFormFields';
import { formatMinutes } from '../lib/sla';
import { ErrorAlert } from './ui/Alert';
import { Field } from './ui/Field';
import { LoadError } from './ui/LoadError';
import { Spinner } from './ui/Spinner';
import { SubmitButton } from './ui/SubmitButton';
import { cardClass, inputClass } from './ui/styles';

const TARGETS = ['first_response_minutes', 'resolution_minutes'] as const satisfies readonly (keyof SlaTargets)[];
const TARGET_LABELS: Record<keyof SlaTargets, string> = {
  first_response_minutes: 'First response',
  resolution_minutes: 'Resolution',
};

/** A field of the form, named as the server keys its errors: `critical.first_response_minutes`. */
type FieldName = `${Priority}.${keyof SlaTargets}`;
type PolicyFields = Record<FieldName, string>;

const fieldName = (priority: Priority, target: keyof SlaTargets): FieldName => `${priority}.${target}`;

function toFields(policy: SlaPolicy): PolicyFields {
  const fields = {} as PolicyFields;
  for (const priority of PRIORITIES) {
    for (const target of TARGETS) fields[fieldName(priority, target)] = String(policy[priority][target]);
  }
  return fields;
}

/** Whole minutes from 1 to a year, or null. */
function minutesOf(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const minutes = Number(text);
  return minutes >= 1 && minutes <= SLA_MAX_MINUTES ? minutes : null;
}

/** The server's own rules, checked before sending: whole minutes in range, a response no later than the resolution. */
function validate(fields: PolicyFields): FieldErrors {
  const errors: FieldErrors = {};
  for (const priority of PRIORITIES) {
    const [response, resolution] = TARGETS.map((target) => {
      const minutes = minutesOf(fields[fieldName(priority, target)]);
      if (minutes === null) {
        errors[fieldName(priority, target)] = [`Enter whole minutes from 1 to ${SLA_MAX_MINUTES.toLocaleString()} (a year).`];
      }
      return minutes;
    });
    if (response !== null && resolution !== null && response > resolution) {
      errors[fieldName(priority, 'resolution_minutes')] = ['Must be at least the first-response target.'];
    }
  }
  return errors;
}

function toPolicy(fields: PolicyFields): SlaPolicy {
  return Object.fromEntries(
    PRIORITIES.map((priority) => [
      priority,
      Object.fromEntries(TARGETS.map((target) => [target, Number(fields[fieldName(priority, target)])])) as unknown as SlaTargets,
    ]),
  ) as SlaPolicy;
}

/** Admins: how long the team has to first answer and to resolve a ticket of each priority. */
export function SlaPolicySection() {
  const headingId = useId();
  const policy = useSlaPolicy();
  return (
    <section aria-labelledby={headingId} className={`${cardClass} p-5`}>
      <h2 id={headingId} className="text-lg font-semibold text-slate-900">
        SLA targets
      </h2>
      <p className="mt-1 text-sm text-slate-500">
        Minutes from a ticket's creation. New targets apply to tickets created or given a new priority from now on.
      </p>
      {policy.data ? (
        <SlaPolicyForm policy={policy.data} />
      ) : policy.isError ? (
        <div className="mt-4">
          <LoadError title="The SLA targets could not be loaded" error={policy.error} onRetry={policy.refetch} />
        </div>
      ) : (
        <p aria-busy="true" className="mt-4 flex items-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading targets…
        </p>
      )}
    </section>
  );
}

function SlaPolicyForm({ policy }: { policy: SlaPolicy }) {
  const form = useFormFields<PolicyFields>(toFields(policy));
  const update = useUpdateSlaPolicy();
  const [saved, setSaved] = useState(false);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const errors = validate(form.values);
    form.setErrors(errors);
    if (Object.keys(errors).length > 0) return;
    update.mutate(toPolicy(form.values), {
      onSuccess: () => setSaved(true),
      onError: (error) => error instanceof ApiError && form.setErrors(error.fieldErrors),
    });
  }

  // Messages about a whole priority (or anything else the form has no field for) go in the alert.
  const fieldNames = new Set<string>(PRIORITIES.flatMap((priority) => TARGETS.map((target) => fieldName(priority, target))));
  const otherErrors = Object.entries(form.errors).filter(([field]) => !fieldNames.has(field));
  const failedWithoutFields = update.isError && Object.keys(form.errors).length === 0;

  return (
    <form onSubmit={handleSubmit} onChange={() => setSaved(false)} noValidate aria-label="SLA targets" className="mt-4 space-y-4">
      {[...PRIORITIES].reverse().map((priority) => (
        <fieldset key={priority} className="grid grid-cols-2 gap-3">
          <legend className="mb-1 text-sm font-medium text-slate-700">{PRIORITY_LABELS[priority]}</legend>
          {TARGETS.map((target) => (
            <MinutesField
              key={target}
              label={`${TARGET_LABELS[target]} (${PRIORITY_LABELS[priority].toLowerCase()})`}
              shownLabel={TARGET_LABELS[target]}
              {...form.bind(fieldName(priority, target))}
            />
          ))}
        </fieldset>
      ))}
      {otherErrors.length > 0 && (
        <ErrorAlert title="The targets were not saved">
          {otherErrors.map(([field, messages]) => `${field}: ${messages.join(' ')}`).join(' ')}
        </ErrorAlert>
      )}
      {failedWithoutFields && <ErrorAlert title="The targets were not saved">{errorDetail(update.error)}</ErrorAlert>}
      <div aria-live="polite" className="empty:hidden">
        {saved && (
          <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">SLA targets saved.</p>
        )}
      </div>
      <SubmitButton pending={update.isPending} label="Save targets" pendingLabel="Saving…" className="w-full" />
    </form>
  );
}

interface MinutesFieldProps {
  /** The accessible name, with the priority; `shownLabel` is what the row shows under its priority. */
  label: string;
  shownLabel: string;
  name: string;
  value: string;
  errors?: string[];
  onChange: (value: string) => void;
}

function MinutesField({ label, shownLabel, name, value, errors, onChange }: MinutesFieldProps) {
  const hintId = useId();
  const minutes = minutesOf(value);
  return (
    <Field label={shownLabel} labelStyle="small" errors={errors} describedBy={[hintId]}>
      {(control, invalid) => (
        <>
          <input
            {...control}
            aria-label={label}
            name={name}
            type="text"
            inputMode="numeric"
            value={value}
            onChange={(event) => onChange(event.target.value)}
            className={inputClass(invalid)}
          />
          <p id={hintId} className="mt-1 text-xs text-slate-500">
            {minutes === null ? 'minutes' : `minutes (${formatMinutes(minutes)})`}
          </p>
        </>
      )}
    </Field>
  );
}
