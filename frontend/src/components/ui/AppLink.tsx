import type { MouseEvent, ReactNode } from 'react';

import { navigate, usePath } from '../../hooks/usePath';

interface AppLinkProps {
  to: string;
  className?: string;
  children: ReactNode;
}

/** A link to another page of the app, followed without a reload; marked as current when it is. */
export function AppLink({ to, className, children }: AppLinkProps) {
  const current = usePath() === to;

  function follow(event: MouseEvent<HTMLAnchorElement>) {
    // A new tab or window (modifier keys, middle button) is the browser's business.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  }

  return (
    <a href={to} onClick={follow} aria-current={current ? 'page' : undefined} className={className}>
      {children}
    </a>
  );
}
