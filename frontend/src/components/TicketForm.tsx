import { useId, useRef, useState, type FormEvent } from 'react';

import { ApiError, describeError, waitBeforeRetrying, type FieldErrors } from '../api/errors';
import { useClassifyDescription } from '../api/queries/useClassifyDescription';
import { useCreateTicket } from '../api/queries/useCreateTicket';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  DESCRIPTION_MAX_CHARS,
  PRIORITIES,
  PRIORITY_LABELS,
  TITLE_MAX_CHARS,
  isStaff,
  type Classification,
  type Ticket,
  type User,
} from '../api/types';
import { useSession } from '../auth/SessionProvider';
import { useTicketDraft, type DraftField, type DraftFields, type Sender } from '../hooks/useTicketDraft';
import { charCount } from '../lib/text';
import { RequesterFields } from './RequesterFields';
import { SimilarTicketsHint } from './SimilarTicketsHint';
import { SuggestionStatus } from './SuggestionStatus';
import { ErrorAlert } from './ui/Alert';
import { CharacterCount } from './ui/CharacterCount';
import { Field } from './ui/Field';
import { SelectField } from './ui/SelectField';
import { SubmitButton } from './ui/SubmitButton';
import { cardClass, inputClass } from './ui/styles';

/** The API's names for the draft's fields, which are also the controls' names. */
const API_FIELD: Record<DraftField, string> = {
  title: 'title',
  description: 'description',
  category: 'category',
  priority: 'priority',
  requesterEmail: 'requester_email',
  submitterEmail: 'requester_email',
  submitterName: 'requester_name',
};

/** In the order they appear, so the first invalid one gets the focus. */
const FORM_FIELDS: readonly string[] = ['requester_email', 'requester_name', 'title', 'description', 'category', 'priority'];

const WORDING: Record<Sender, { heading: string; intro: string; submit: string; pending: string; failed: string }> = {
  account: {
    heading: 'New ticket',
    intro: "Describe the problem — we'll suggest a category and priority when you leave the description.",
    submit: 'Submit ticket',
    pending: 'Submitting…',
    failed: 'The ticket was not created',
  },
  visitor: {
    heading: 'Submit a request',
    intro: "No account needed: we'll reply to the email address you give, and suggest a category and priority when you leave the description.",
    submit: 'Send request',
    pending: 'Sending…',
    failed: 'Your request was not sent',
  },
};

function validate({ title, description, submitterEmail, submitterName }: DraftFields, sender: Sender): FieldErrors {
  const errors: FieldErrors = {};
  if (sender === 'visitor') {
    if (!submitterEmail.trim()) errors.requester_email = ['Please enter your email address, so we can reply.'];
    if (!submitterName.trim()) errors.requester_name = ['Please enter your name.'];
  }
  if (!title.trim()) errors.title = ['Please enter a title.'];
  else if (charCount(title.trim()) > TITLE_MAX_CHARS) errors.title = [`Keep the title to ${TITLE_MAX_CHARS} characters.`];
  if (!description.trim()) errors.description = ['Please describe the problem.'];
  else if (charCount(description.trim()) > DESCRIPTION_MAX_CHARS)
    errors.description = [`Keep the description to ${DESCRIPTION_MAX_CHARS.toLocaleString()} characters.`];
  return errors;
}

/**
 * The line shown after a success. A visitor without an account has no list to find the request
 * in, so they are told its number and where the reply goes.
 */
function confirmation(ticket: Ticket, user: User | null): string {
  if (!user) return `Request #${ticket.id} received — we will reply to ${ticket.requester_email ?? 'you by email'}.`;
  const forSomeoneElse = ticket.requester_id !== user.id && ticket.requester_email;
  return `Ticket #${ticket.id} created${forSomeoneElse ? ` for ${ticket.requester_email}` : ''}.`;
}

/**
 * A new ticket, from whoever is signed in — or, signed out, from a visitor without an account
 * (the sign-in page offers this form only where the server takes such submissions), who then
 * gives an email and a name and sends no token.
 */
export function TicketForm() {
  const session = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const sender: Sender = user ? 'account' : 'visitor';
  const wording = WORDING[sender];
  const ids = useId();
  const titleCounterId = `${ids}-title-counter`;
  const descriptionCounterId = `${ids}-description-counter`;
  const suggestionId = `${ids}-suggestion`;

  const draft = useTicketDraft();
  const { title, description, category, priority } = draft.fields;
  const [suggestion, setSuggestion] = useState<Classification | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<Ticket | null>(null);

  // Read inside an async callback, so a ref: the text last sent to classify.
  const lastClassified = useRef<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const classify = useClassifyDescription();
  const create = useCreateTicket();

  const titleLength = charCount(title);
  const descriptionLength = charCount(description);
  // The description limit is generous; its counter only appears when it starts to matter.
  const showDescriptionCounter = descriptionLength > DESCRIPTION_MAX_CHARS * 0.8;

  function edit(change: Partial<DraftFields>) {
    draft.edit(change);
    setCreated(null);
    const changed = (Object.keys(change) as DraftField[]).map((field) => API_FIELD[field]);
    setFieldErrors((errors) =>
      changed.some((field) => field in errors)
        ? Object.fromEntries(Object.entries(errors).filter(([field]) => !changed.includes(field)))
        : errors,
    );
  }

  function requestSuggestion() {
    const text = description.trim();
    // Too long to submit is too long to classify; the submit check explains why.
    if (!text || text === lastClassified.current || charCount(text) > DESCRIPTION_MAX_CHARS) return;
    lastClassified.current = text;
    classify.mutate(text, {
      onSuccess: (result) => {
        setSuggestion(result);
        draft.suggest(result);
      },
      onError: () => {
        // Let a later blur try the same text again.
        lastClassified.current = null;
      },
    });
  }

  function resetForm() {
    draft.reset();
    setSuggestion(null);
    setFieldErrors({});
    setFormError(null);
    lastClassified.current = null;
    classify.reset();
  }

  function focusFirstInvalid(errors: FieldErrors) {
    const first = FORM_FIELDS.find((field) => errors[field]?.length);
    const control = first && formRef.current?.elements.namedItem(first);
    if (control instanceof HTMLElement) control.focus();
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    setFormError(null);
    const errors = validate(draft.fields, sender);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) {
      focusFirstInvalid(errors);
      return;
    }
    create.mutate(draft.send(sender), {
      onSuccess: (ticket) => {
        resetForm();
        setCreated(ticket);
      },
      onError: (error) => {
        if (error instanceof ApiError && Object.keys(error.fieldErrors).length > 0) {
          setFieldErrors(error.fieldErrors);
          const unplaced = Object.entries(error.fieldErrors)
            .filter(([field]) => !FORM_FIELDS.includes(field))
            .map(([field, messages]) => `${field}: ${messages.join(' ')}`);
          setFormError(['Please correct the highlighted fields.', ...unplaced].join(' '));
          focusFirstInvalid(error.fieldErrors);
        } else if (error instanceof ApiError && error.isTooManyRequests) {
          setFormError(
            `Too many requests have come from your address. Please wait ${waitBeforeRetrying(error)}, then submit ` +
              'again — what you wrote is kept.',
          );
        } else {
          setFormError(describeError(error));
        }
      },
    });
  }

  const messagesFor = (field: DraftField) => fieldErrors[API_FIELD[field]] ?? [];

  return (
    <section aria-labelledby={`${ids}-heading`} className={`${cardClass} p-5`}>
      <h2 id={`${ids}-heading`} className="text-lg font-semibold text-slate-900">
        {wording.heading}
      </h2>
      <p className="mt-1 text-sm text-slate-500">{wording.intro}</p>

      <form ref={formRef} onSubmit={handleSubmit} noValidate className="mt-5 space-y-4">
        <RequesterFields
          sender={sender}
          staff={user !== null && isStaff(user)}
          fields={draft.fields}
          nameOf={(field) => API_FIELD[field]}
          errorsFor={messagesFor}
          onEdit={edit}
        />

        <Field
          label="Title"
          required
          errors={messagesFor('title')}
          invalid={titleLength > TITLE_MAX_CHARS}
          describedBy={[titleCounterId]}
          aside={<CharacterCount id={titleCounterId} count={titleLength} max={TITLE_MAX_CHARS} />}
        >
          {(control, invalid) => (
            <input
              {...control}
              name="title"
              type="text"
              required
              autoComplete="off"
              value={title}
              onChange={(event) => edit({ title: event.target.value })}
              placeholder="e.g. Can't log in after password reset"
              className={inputClass(invalid)}
            />
          )}
        </Field>

        {/* A visitor without an account has no tickets to look through. */}
        {user && <SimilarTicketsHint title={title} />}

        <Field
          label="Description"
          required
          errors={messagesFor('description')}
          invalid={descriptionLength > DESCRIPTION_MAX_CHARS}
          describedBy={[showDescriptionCounter && descriptionCounterId]}
          aside={
            showDescriptionCounter && (
              <CharacterCount id={descriptionCounterId} count={descriptionLength} max={DESCRIPTION_MAX_CHARS} />
            )
          }
        >
          {(control, invalid) => (
            <textarea
              {...control}
              name="description"
              required
              rows={5}
              value={description}
              onChange={(event) => edit({ description: event.target.value })}
              onBlur={requestSuggestion}
              placeholder="What happened, what did you expect, and how urgent is it?"
              className={`${inputClass(invalid)} resize-y`}
            />
          )}
        </Field>

        <div className="grid grid-cols-2 gap-3">
          <SelectField
            label="Category"
            name="category"
            value={category}
            options={CATEGORIES}
            optionLabels={CATEGORY_LABELS}
            noneLabel="Auto-detect"
            errors={messagesFor('category')}
            describedBy={[suggestionId]}
            onChange={(value) => edit({ category: value })}
          />
          <SelectField
            label="Priority"
            name="priority"
            value={priority}
            options={PRIORITIES}
            optionLabels={PRIORITY_LABELS}
            noneLabel="Auto-detect"
            errors={messagesFor('priority')}
            describedBy={[suggestionId]}
            onChange={(value) => edit({ priority: value })}
          />
        </div>

        <SuggestionStatus
          id={suggestionId}
          loading={classify.isPending}
          suggestion={suggestion}
          error={classify.isError ? describeError(classify.error) : null}
        />

        {formError && <ErrorAlert title={wording.failed}>{formError}</ErrorAlert>}

        <div aria-live="polite" className="empty:hidden">
          {created && (
            <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              {confirmation(created, user)}
            </p>
          )}
        </div>

        <SubmitButton pending={create.isPending} label={wording.submit} pendingLabel={wording.pending} className="w-full" />
      </form>
    </section>
  );
}
