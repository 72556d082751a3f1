import { useId, useRef, useState, type FormEvent } from 'react';

import { ApiError, describeError, type FieldErrors } from '../api/errors';
import { useClassifyDescription } from '../api/queries/useClassifyDescription';
import { useCreateTicket } from '../api/queries/useCreateTicket';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  DESCRIPTION_MAX_CHARS,
  PRIORITIES,
  PRIORITY_LABELS,
  TITLE_MAX_CHARS,
  type Category,
  type Classification,
  type Priority,
  type Ticket,
} from '../api/types';
import { charCount } from '../lib/text';
import { ErrorAlert } from './ui/Alert';
import { FieldError } from './ui/FieldError';
import { Spinner } from './ui/Spinner';
import { cardClass, inputClass, labelClass, primaryButtonClass, selectClass } from './ui/styles';

const FORM_FIELDS = ['title', 'description', 'category', 'priority'] as const;
type FormField = (typeof FORM_FIELDS)[number];

function validate(title: string, description: string): FieldErrors {
  const errors: FieldErrors = {};
  if (!title.trim()) errors.title = ['Please enter a title.'];
  else if (charCount(title.trim()) > TITLE_MAX_CHARS) errors.title = [`Keep the title to ${TITLE_MAX_CHARS} characters.`];
  if (!description.trim()) errors.description = ['Please describe the problem.'];
  else if (charCount(description.trim()) > DESCRIPTION_MAX_CHARS)
    errors.description = [`Keep the description to ${DESCRIPTION_MAX_CHARS.toLocaleString()} characters.`];
  return errors;
}

export function TicketForm() {
  const ids = useId();
  const fieldId = (field: FormField) => `${ids}-${field}`;
  const errorId = (field: FormField) => `${ids}-${field}-error`;

  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState<Category | ''>('');
  const [priority, setPriority] = useState<Priority | ''>('');
  const [suggestion, setSuggestion] = useState<Classification | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<Ticket | null>(null);

  // Read inside async callbacks, so they are refs: a suggestion that arrives after the user
  // picked a value must see that choice, not the one from when the request started.
  const userChose = useRef({ category: false, priority: false });
  const lastClassified = useRef<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const classify = useClassifyDescription();
  const create = useCreateTicket();

  const titleLength = charCount(title);
  const descriptionLength = charCount(description);
  // The description limit is generous; its counter only appears when it starts to matter.
  const showDescriptionCounter = descriptionLength > DESCRIPTION_MAX_CHARS * 0.8;

  function clearFieldError(field: FormField) {
    setCreated(null);
    setFieldErrors((errors) => {
      if (!(field in errors)) return errors;
      const rest = { ...errors };
      delete rest[field];
      return rest;
    });
  }

  function requestSuggestion() {
    const text = description.trim();
    // Too long to submit is too long to classify; the submit check explains why.
    if (!text || text === lastClassified.current || charCount(text) > DESCRIPTION_MAX_CHARS) return;
    lastClassified.current = text;
    classify.mutate(text, {
      onSuccess: (result) => {
        setSuggestion(result);
        if (!userChose.current.category) setCategory(result.suggested_category);
        if (!userChose.current.priority) setPriority(result.suggested_priority);
      },
      onError: () => {
        // Let a later blur try the same text again.
        lastClassified.current = null;
      },
    });
  }

  function resetForm() {
    setTitle('');
    setDescription('');
    setCategory('');
    setPriority('');
    setSuggestion(null);
    setFieldErrors({});
    setFormError(null);
    userChose.current = { category: false, priority: false };
    lastClassified.current = null;
    classify.reset();
  }

  function focusFirstInvalid(errors: FieldErrors) {
    const first = FORM_FIELDS.find((field) => errors[field]?.length);
    if (first) formRef.current?.querySelector<HTMLElement>(`#${CSS.escape(fieldId(first))}`)?.focus();
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    setFormError(null);
    const errors = validate(title, description);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) {
      focusFirstInvalid(errors);
      return;
    }
    create.mutate(
      {
        title: title.trim(),
        description: description.trim(),
        ...(category ? { category } : {}),
        ...(priority ? { priority } : {}),
      },
      {
        onSuccess: (ticket) => {
          resetForm();
          setCreated(ticket);
        },
        onError: (error) => {
          if (error instanceof ApiError && Object.keys(error.fieldErrors).length > 0) {
            setFieldErrors(error.fieldErrors);
            const unplaced = Object.entries(error.fieldErrors)
              .filter(([field]) => !(FORM_FIELDS as readonly string[]).includes(field))
              .map(([field, messages]) => `${field}: ${messages.join(' ')}`);
            setFormError(['Please correct the highlighted fields.', ...unplaced].join(' '));
            focusFirstInvalid(error.fieldErrors);
          } else {
            setFormError(describeError(error));
          }
        },
      },
    );
  }

  const messagesFor = (field: FormField) => fieldErrors[field] ?? [];
  const describedBy = (field: FormField, ...extra: string[]) =>
    [...extra, messagesFor(field).length ? errorId(field) : ''].filter(Boolean).join(' ') || undefined;

  return (
    <section aria-labelledby={`${ids}-heading`} className={`${cardClass} p-5`}>
      <h2 id={`${ids}-heading`} className="text-lg font-semibold text-slate-900">
        New ticket
      </h2>
      <p className="mt-1 text-sm text-slate-500">
        Describe the problem — we&apos;ll suggest a category and priority when you leave the description.
      </p>

      <form ref={formRef} onSubmit={handleSubmit} noValidate className="mt-5 space-y-4">
        <div>
          <div className="flex items-baseline justify-between gap-2">
            <label htmlFor={fieldId('title')} className={labelClass}>
              Title <span className="text-rose-600" aria-hidden="true">*</span>
            </label>
            <span
              id={`${ids}-title-counter`}
              className={`text-xs tabular-nums ${titleLength > TITLE_MAX_CHARS ? 'font-semibold text-rose-700' : 'text-slate-500'}`}
            >
              {titleLength}/{TITLE_MAX_CHARS}
            </span>
          </div>
          <input
            id={fieldId('title')}
            name="title"
            type="text"
            required
            autoComplete="off"
            value={title}
            onChange={(event) => {
              setTitle(event.target.value);
              clearFieldError('title');
            }}
            aria-invalid={messagesFor('title').length > 0}
            aria-describedby={describedBy('title', `${ids}-title-counter`)}
            placeholder="e.g. Can't log in after password reset"
            className={inputClass(messagesFor('title').length > 0 || titleLength > TITLE_MAX_CHARS)}
          />
          <FieldError id={errorId('title')} messages={messagesFor('title')} />
        </div>

        <div>
          <div className="flex items-baseline justify-between gap-2">
            <label htmlFor={fieldId('description')} className={labelClass}>
              Description <span className="text-rose-600" aria-hidden="true">*</span>
            </label>
            {showDescriptionCounter && (
              <span
                id={`${ids}-description-counter`}
                className={`text-xs tabular-nums ${descriptionLength > DESCRIPTION_MAX_CHARS ? 'font-semibold text-rose-700' : 'text-slate-500'}`}
              >
                {descriptionLength.toLocaleString()}/{DESCRIPTION_MAX_CHARS.toLocaleString()}
              </span>
            )}
          </div>
          <textarea
            id={fieldId('description')}
            name="description"
            required
            rows={5}
            value={description}
            onChange={(event) => {
              setDescription(event.target.value);
              clearFieldError('description');
            }}
            onBlur={requestSuggestion}
            aria-invalid={messagesFor('description').length > 0}
            aria-describedby={describedBy('description', showDescriptionCounter ? `${ids}-description-counter` : '')}
            placeholder="What happened, what did you expect, and how urgent is it?"
            className={`${inputClass(messagesFor('description').length > 0 || descriptionLength > DESCRIPTION_MAX_CHARS)} resize-y`}
          />
          <FieldError id={errorId('description')} messages={messagesFor('description')} />
        </div>

        <div className="grid grid-cols-2 gap-3">
          <div>
            <label htmlFor={fieldId('category')} className={labelClass}>
              Category
            </label>
            <select
              id={fieldId('category')}
              name="category"
              value={category}
              onChange={(event) => {
                userChose.current.category = true;
                setCategory(event.target.value as Category | '');
                clearFieldError('category');
              }}
              aria-invalid={messagesFor('category').length > 0}
              aria-describedby={describedBy('category', `${ids}-suggestion`)}
              className={selectClass(messagesFor('category').length > 0)}
            >
              <option value="">Auto-detect</option>
              {CATEGORIES.map((value) => (
                <option key={value} value={value}>
                  {CATEGORY_LABELS[value]}
                </option>
              ))}
            </select>
            <FieldError id={errorId('category')} messages={messagesFor('category')} />
          </div>
          <div>
            <label htmlFor={fieldId('priority')} className={labelClass}>
              Priority
            </label>
            <select
              id={fieldId('priority')}
              name="priority"
              value={priority}
              onChange={(event) => {
                userChose.current.priority = true;
                setPriority(event.target.value as Priority | '');
                clearFieldError('priority');
              }}
              aria-invalid={messagesFor('priority').length > 0}
              aria-describedby={describedBy('priority', `${ids}-suggestion`)}
              className={selectClass(messagesFor('priority').length > 0)}
            >
              <option value="">Auto-detect</option>
              {PRIORITIES.map((value) => (
                <option key={value} value={value}>
                  {PRIORITY_LABELS[value]}
                </option>
              ))}
            </select>
            <FieldError id={errorId('priority')} messages={messagesFor('priority')} />
          </div>
        </div>

        <SuggestionStatus
          id={`${ids}-suggestion`}
          loading={classify.isPending}
          suggestion={suggestion}
          error={classify.isError ? describeError(classify.error) : null}
        />

        {formError && <ErrorAlert title="The ticket was not created">{formError}</ErrorAlert>}

        <div aria-live="polite" className="empty:hidden">
          {created && (
            <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              Ticket #{created.id} created.
            </p>
          )}
        </div>

        <button type="submit" disabled={create.isPending} className={`${primaryButtonClass} w-full`}>
          {create.isPending && <Spinner />}
          {create.isPending ? 'Submitting…' : 'Submit ticket'}
        </button>
      </form>
    </section>
  );
}

interface SuggestionStatusProps {
  id: string;
  loading: boolean;
  suggestion: Classification | null;
  error: string | null;
}

function SuggestionStatus({ id, loading, suggestion, error }: SuggestionStatusProps) {
  let content = null;
  if (loading) {
    content = (
      <span className="flex items-center gap-2 text-indigo-700">
        <Spinner /> Suggesting a category and priority…
      </span>
    );
  } else if (error) {
    content = (
      <span className="text-amber-800">
        Couldn’t suggest a category and priority: {error} Choose them yourself, or leave “Auto-detect” and the
        server will classify the ticket.
      </span>
    );
  } else if (suggestion) {
    const fromModel = suggestion.source === 'llm';
    content = (
      <span className="flex flex-wrap items-center gap-x-2 gap-y-1 text-slate-600">
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
            fromModel ? 'bg-indigo-50 text-indigo-700 ring-indigo-200' : 'bg-slate-100 text-slate-700 ring-slate-300'
          }`}
        >
          {fromModel ? 'Suggested by AI model' : 'Suggested by rules (fallback)'}
        </span>
        <span>
          {CATEGORY_LABELS[suggestion.suggested_category]} · {PRIORITY_LABELS[suggestion.suggested_priority]} — you
          can change either.
        </span>
      </span>
    );
  }
  return (
    <div id={id} aria-live="polite" className="min-h-5 text-sm">
      {content}
    </div>
  );
}
