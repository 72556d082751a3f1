import { useEffect, useLayoutEffect, useRef } from 'react';

/** Where a key press is someone typing (or choosing), not a shortcut. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'reset', 'submit', 'image', 'range', 'color', 'file'].includes(target.type);
  }
  return false;
}

/** A control that acts on Enter by itself; the page's Enter shortcut leaves it alone. */
export function isInteractiveTarget(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('a[href], button, input, select, textarea, summary, [role="button"]') !== null;
}

export type ShortcutHandler = (event: KeyboardEvent) => void;

/**
 * Single-key shortcuts for the page, by `KeyboardEvent.key` ('j', 'Enter', 'Escape', '?'). They
 * do nothing while the user types in a field, while a dialog is open (it has its own keys) or
 * with Ctrl, Alt or Cmd held (the browser's and the system's shortcuts).
 */
export function useKeyboardShortcuts(shortcuts: Record<string, ShortcutHandler>, enabled = true): void {
  const latest = useRef(shortcuts);
  useLayoutEffect(() => {
    latest.current = shortcuts;
  });

  useEffect(() => {
    if (!enabled) return;
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (isTypingTarget(event.target)) return;
      if (event.target instanceof Element && event.target.closest('[role="dialog"]')) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      const handler = latest.current[event.key];
      if (handler) handler(event);
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}
