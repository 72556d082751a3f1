/** The logo and the product's name: the page's one level-1 heading. */
export function Brand() {
  return (
    <div className="flex min-w-0 items-center gap-3">
      <img src="/favicon.svg" alt="" className="h-8 w-8 shrink-0" />
      <div className="min-w-0">
        <h1 className="text-lg font-bold leading-tight tracking-tight text-slate-900">Helpdesk</h1>
        <p className="truncate text-xs text-slate-500">Support tickets, triaged.</p>
      </div>
    </div>
  );
}
