import { useId, useState } from 'react';

import { useKeyboardShortcuts } from '../hooks/useKeyboardShortcuts';
import { Modal, ModalFooter } from './ui/Modal';
import { ghostButtonClass, secondaryButtonClass } from './ui/styles';

const SHORTCUTS: { where: string; keys: { keys: string[]; what: string }[] }[] = [
  {
    where: 'Ticket list',
    keys: [
      { keys: ['j'], what: 'Next ticket' },
      { keys: ['k'], what: 'Previous ticket' },
      { keys: ['Enter'], what: 'Open the selected ticket' },
    ],
  },
  {
    where: 'Ticket page',
    keys: [
      { keys: ['r'], what: 'Write a reply' },
      { keys: ['Ctrl', 'Enter'], what: 'Send the reply (⌘ Enter on a Mac)' },
      { keys: ['Esc'], what: 'Leave the reply box; again: back to the list' },
    ],
  },
  { where: 'Anywhere', keys: [{ keys: ['?'], what: 'Show or hide this help' }] },
];

const kbdClass = 'rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-700 shadow-sm';

/** "Keyboard shortcuts", and `?`, open a list of the page's keys; `?` or Esc close it. */
export function KeyboardShortcutsButton() {
  const [open, setOpen] = useState(false);
  useKeyboardShortcuts({
    '?': (event) => {
      event.preventDefault();
      setOpen(true);
    },
  });

  return (
    <>
      <button type="button" onClick={() => setOpen(true)} className={`${ghostButtonClass} px-2 py-1 text-xs`} aria-haspopup="dialog">
        <kbd className={kbdClass} aria-hidden="true">
          ?
        </kbd>
        Keyboard shortcuts
      </button>
      {open && <KeyboardShortcutsDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function KeyboardShortcutsDialog({ onClose }: { onClose: () => void }) {
  const titleId = useId();
  return (
    <Modal titleId={titleId} onClose={onClose}>
      <div
        onKeyDown={(event) => {
          if (event.key === '?') {
            event.preventDefault();
            onClose();
          }
        }}
      >
        <div className="space-y-4 px-5 py-4">
          <h2 id={titleId} className="text-lg font-semibold text-slate-900">
            Keyboard shortcuts
          </h2>
          <p className="text-sm text-slate-500">Shortcuts wait while you type in a field.</p>
          {SHORTCUTS.map((group) => (
            <section key={group.where} aria-label={group.where}>
              <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{group.where}</h3>
              <dl className="mt-2 space-y-1.5 text-sm">
                {group.keys.map((shortcut) => (
                  <div key={shortcut.what} className="flex items-center justify-between gap-4">
                    <dt className="flex gap-1">
                      {shortcut.keys.map((key) => (
                        <kbd key={key} className={kbdClass}>
                          {key}
                        </kbd>
                      ))}
                    </dt>
                    <dd className="text-right text-slate-700">{shortcut.what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
        <ModalFooter>
          <button type="button" onClick={onClose} className={secondaryButtonClass}>
            Close
          </button>
        </ModalFooter>
      </div>
    </Modal>
  );
}
