import { useId, useRef, useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';

import { ApiError, errorDetail } from '../api/errors';
import { useAddComment } from '../api/queries/useAddComment';
import { useAssistAvailability, useReplyDraft } from '../api/queries/useAssist';
import { COMMENT_MAX_CHARS, type Visibility } from '../api/types';
import { newIdempotencyKey } from '../lib/idempotencyKey';
import { charCount } from '../lib/text';
import { ErrorAlert } from './ui/Alert';
import { CharacterCount } from './ui/CharacterCount';
import { Field } from './ui/Field';
import { Spinner } from './ui/Spinner';
import { SubmitButton } from './ui/SubmitButton';
import { cardClass, inputClass, secondaryButtonClass } from './ui/styles';

interface ReplyBoxProps {
  ticketId: number;
  /** Staff choose between a public reply and an internal note; requesters only reply. */
  staff: boolean;
  textareaRef?: Ref<HTMLTextAreaElement>;
}

const WORDING: Record<Visibility, { label: string; placeholder: string; submit: string; pending: string; sent: string }> = {
  public: {
    label: 'Reply',
    placeholder: 'Write a reply…',
    submit: 'Send reply',
    pending: 'Sending…',
    sent: 'Reply sent.',
  },
  internal: {
    label: 'Internal note',
    placeholder: 'Write a note for the team — the requester will not see it…',
    submit: 'Add internal note',
    pending: 'Adding…',
    sent: 'Internal note added.',
  },
};

/**
 * Writing on the thread: the draft stays until the server has it, and Ctrl/Cmd+Enter sends it.
 * The draft has an idempotency key, kept through every attempt to send it (the automatic
 * retries and pressing Send again after an error) and replaced once it is sent or changed, so
 * a reply whose answer was lost is never stored twice.
 */
export function ReplyBox({ ticketId, staff, textareaRef }: ReplyBoxProps) {
  const ids = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const draftKey = useRef(newIdempotencyKey());
  const add = useAddComment(ticketId);
  const shownVisibility = staff ? visibility : 'public';
  const wording = WORDING[shownVisibility];
  const length = charCount(body);
  const tooLong = length > COMMENT_MAX_CHARS;
  const serverErrors = add.error instanceof ApiError ? add.error.fieldMessages('body') : [];

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (add.isPending) return;
    setSent(null);
    if (!body.trim()) {
      setProblem('Write something first.');
      return;
    }
    if (tooLong) {
      setProblem(`Keep it to ${COMMENT_MAX_CHARS.toLocaleString()} characters.`);
      return;
    }
    setProblem(null);
    add.mutate(
      { comment: { body, visibility: shownVisibility }, idempotencyKey: draftKey.current },
      {
        onSuccess: () => {
          draftKey.current = newIdempotencyKey();
          setBody('');
          setSent(wording.sent);
        },
      },
    );
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      formRef.current?.requestSubmit();
    } else if (event.key === 'Escape') {
      // Out of the box, so the page's keys work again; a second Esc leaves the page.
      event.preventDefault();
      event.currentTarget.blur();
    }
  }

  const internal = shownVisibility === 'internal';

  /** The model's draft goes into the box as a public reply, after anything already written; sending stays the agent's. */
  function insertDraft(draft: string) {
    draftKey.current = newIdempotencyKey();
    setVisibility('public');
    setBody((current) => (current.trim() ? `${current.trimEnd()}\n\n${draft}` : draft));
    setProblem(null);
    setSent(null);
    const textarea = formRef.current?.elements.namedItem('body');
    if (textarea instanceof HTMLTextAreaElement) textarea.focus();
  }

  return (
    <section aria-labelledby={`${ids}-heading`} className={`${cardClass} p-4 ${internal ? 'border-amber-300 bg-amber-50/60' : ''}`}>
      <h3 id={`${ids}-heading`} className="sr-only">
        Write on the thread
      </h3>
      <form ref={formRef} onSubmit={handleSubmit} noValidate aria-label={staff ? 'Reply or note' : 'Reply'} className="space-y-3">
        {staff && (
          <div className="flex flex-wrap items-center justify-between gap-2">
            <fieldset className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5 text-sm">
              <legend className="sr-only">Who can read it</legend>
              {(['public', 'internal'] as const).map((choice) => (
                <label
                  key={choice}
                  className={`cursor-pointer rounded-md px-3 py-1 font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-500 ${
                    visibility === choice
                      ? choice === 'internal'
                        ? 'bg-amber-200 text-amber-950'
                        : 'bg-indigo-600 text-white'
                      : 'text-slate-600 hover:bg-slate-100'
                  }`}
                >
                  <input
                    type="radio"
                    name={`${ids}-visibility`}
                    value={choice}
                    checked={visibility === choice}
                    onChange={() => {
                      draftKey.current = newIdempotencyKey();
                      setVisibility(choice);
                      setSent(null);
                    }}
                    className="sr-only"
                  />
                  {choice === 'public' ? 'Public reply' : 'Internal note'}
                </label>
              ))}
            </fieldset>
            <DraftReplyButton ticketId={ticketId} onDraft={insertDraft} />
          </div>
        )}

        <Field
          label={wording.label}
          labelStyle={staff ? 'hidden' : 'regular'}
          errors={problem ? [problem] : serverErrors}
          invalid={tooLong}
          describedBy={[`${ids}-count`, `${ids}-hint`]}
          aside={<CharacterCount id={`${ids}-count`} count={length} max={COMMENT_MAX_CHARS} />}
        >
          {(control, invalid) => (
            <textarea
              {...control}
              ref={textareaRef}
              name="body"
              rows={4}
              value={body}
              onChange={(event) => {
                draftKey.current = newIdempotencyKey();
                setBody(event.target.value);
                setProblem(null);
                setSent(null);
              }}
              onKeyDown={handleKeyDown}
              placeholder={wording.placeholder}
              className={`${inputClass(invalid)} resize-y ${internal ? 'bg-amber-50' : ''}`}
            />
          )}
        </Field>

        {internal && <p className="text-xs font-medium text-amber-900">Internal note: only agents and admins will see it.</p>}

        {add.isError && serverErrors.length === 0 && (
          <ErrorAlert title={internal ? 'The note was not added' : 'The reply was not sent'}>
            {errorDetail(add.error)} Your text is still here.
          </ErrorAlert>
        )}

        <div className="flex flex-wrap items-center justify-between gap-3">
          <p id={`${ids}-hint`} className="text-xs text-slate-500">
            <kbd className="font-sans">Ctrl</kbd>+<kbd className="font-sans">Enter</kbd> (<kbd className="font-sans">⌘</kbd>+
            <kbd className="font-sans">Enter</kbd>) sends
          </p>
          <SubmitButton pending={add.isPending} label={wording.submit} pendingLabel={wording.pending} />
        </div>
        <p aria-live="polite" className="text-sm text-emerald-700 empty:hidden">
          {sent}
        </p>
      </form>
    </section>
  );
}

/**
 * Staff, where a language model is configured: a draft of the public reply, put in the box for
 * the agent to edit and send (or not). Absent when no model is configured.
 */
function DraftReplyButton({ ticketId, onDraft }: { ticketId: number; onDraft: (draft: string) => void }) {
  const available = useAssistAvailability();
  const draft = useReplyDraft(ticketId);
  if (!available.data) return null;

  function requestDraft() {
    // Not disabled while drafting: that would take the focus from the button just pressed.
    if (draft.isPending) return;
    draft.mutate(undefined, { onSuccess: onDraft });
  }

  return (
    <>
      <button type="button" onClick={requestDraft} aria-busy={draft.isPending} className={`${secondaryButtonClass} px-3 py-1 text-xs`}>
        {draft.isPending && <Spinner className="h-3.5 w-3.5" />}
        {draft.isPending ? 'Drafting…' : 'Draft a reply'}
      </button>
      {draft.isError && (
        <div className="basis-full">
          <ErrorAlert title="No draft">{errorDetail(draft.error)}</ErrorAlert>
        </div>
      )}
    </>
  );
}
