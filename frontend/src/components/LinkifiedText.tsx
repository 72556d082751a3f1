import { splitLinks } from '../lib/linkify';

/**
 * Plain text as written — line breaks kept (the caller's `white-space: pre-wrap`) and nothing
 * interpreted as markup — with only its http(s) addresses made links, opened in a new tab
 * without telling the other site where the reader came from.
 */
export function LinkifiedText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, index) =>
        part.kind === 'link' ? (
          <a
            key={index}
            href={part.href}
            target="_blank"
            rel="noopener noreferrer nofollow"
            className="break-all text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:decoration-indigo-700"
          >
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}
