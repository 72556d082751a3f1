import type { ReactNode } from 'react';

interface AlertProps {
  title?: string;
  children: ReactNode;
  action?: ReactNode;
}

/** An error the user should notice; announced by screen readers as soon as it appears. */
export function ErrorAlert({ title, children, action }: AlertProps) {
  return (
    <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 px-3 py-2.5 text-sm text-rose-800">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          {title && <p className="font-semibold">{title}</p>}
          <div className="break-words">{children}</div>
        </div>
        {action}
      </div>
    </div>
  );
}
