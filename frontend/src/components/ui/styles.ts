// Shared class lists, so every control looks and focuses the same way.

const controlBase =
  'mt-1 block w-full rounded-lg border bg-white text-sm text-slate-900 shadow-sm transition ' +
  'placeholder:text-slate-400 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 ' +
  'disabled:cursor-not-allowed disabled:bg-slate-100';

export function controlClass(invalid = false): string {
  return `${controlBase} ${invalid ? 'border-rose-400 focus:border-rose-500' : 'border-slate-300 focus:border-indigo-500'}`;
}

export const inputClass = (invalid = false) => `${controlClass(invalid)} px-3 py-2`;
export const selectClass = (invalid = false) => `${controlClass(invalid)} py-2 pl-3 pr-8`;

const buttonBase =
  'inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2 text-sm font-semibold transition ' +
  'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 ' +
  'disabled:cursor-not-allowed disabled:opacity-60';

export const primaryButtonClass = `${buttonBase} bg-indigo-600 text-white shadow-sm hover:bg-indigo-500 disabled:hover:bg-indigo-600`;
export const secondaryButtonClass = `${buttonBase} border border-slate-300 bg-white text-slate-700 shadow-sm hover:bg-slate-50`;
export const ghostButtonClass = `${buttonBase} text-slate-600 hover:bg-slate-100 hover:text-slate-900`;

export const cardClass = 'rounded-2xl border border-slate-200 bg-white shadow-sm';
