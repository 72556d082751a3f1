import type { Comment } from '../api/types';
import { LinkifiedText } from './LinkifiedText';
import { RelativeTime } from './RelativeTime';

/** One message of the thread; an internal note looks apart and says so in words. */
export function CommentItem({ comment }: { comment: Comment }) {
  const internal = comment.visibility === 'internal';
  const author = comment.author_name || 'Someone';
  return (
    <article
      id={`comment-${comment.id}`}
      aria-label={internal ? `Internal note by ${author}` : `Reply from ${author}`}
      className={`rounded-xl border p-4 ${
        internal ? 'border-dashed border-amber-400 bg-amber-50' : comment.author_is_staff ? 'border-indigo-200 bg-white' : 'border-slate-200 bg-white'
      }`}
    >
      <header className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
        <span className="font-semibold text-slate-900">{author}</span>
        {comment.author_is_staff && (
          <span className="rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200">
            Support
          </span>
        )}
        {comment.via === 'email' && (
          <span className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-inset ring-slate-300">
            <EnvelopeIcon /> <span className="sr-only">Received </span>by email
          </span>
        )}
        {internal && (
          <span className="inline-flex items-center gap-1 rounded-full bg-amber-200 px-2 py-0.5 text-xs font-semibold text-amber-950">
            <LockIcon /> Internal note
          </span>
        )}
        <span className="ml-auto text-xs text-slate-500">
          <RelativeTime iso={comment.created_at} />
        </span>
      </header>
      <p className="mt-2 whitespace-pre-wrap break-words text-sm text-slate-800">
        <LinkifiedText text={comment.body} />
      </p>
      {internal && <p className="mt-2 text-xs text-amber-900">Only staff can see this.</p>}
    </article>
  );
}

function EnvelopeIcon() {
  return (
    <svg className="h-3 w-3" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
      <path d="M3 4a2 2 0 0 0-2 2v1.16l8.45 4.22a1.25 1.25 0 0 0 1.1 0L19 7.16V6a2 2 0 0 0-2-2H3Z" />
      <path d="m19 8.84-7.78 3.88a2.75 2.75 0 0 1-2.44 0L1 8.84V14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V8.84Z" />
    </svg>
  );
}

function LockIcon() {
  return (
    <svg className="h-3 w-3" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
      <path
        fillRule="evenodd"
        d="M10 1a4.5 4.5 0 0 0-4.5 4.5V9H5a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-6a2 2 0 0 0-2-2h-.5V5.5A4.5 4.5 0 0 0 10 1Zm3 8V5.5a3 3 0 1 0-6 0V9h6Z"
        clipRule="evenodd"
      />
    </svg>
  );
}
