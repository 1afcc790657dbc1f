import { useState } from 'react';
import { type AutosavedDocument, discardRecovery, recover } from '../store/autosave';

/** Offers the document an earlier session left unsaved (after a crash or a closed window). */
export function RecoveryBanner({ entry }: { entry: AutosavedDocument | null }) {
  const [open, setOpen] = useState(entry !== null);
  if (!open || !entry) return null;
  const when = new Date(entry.savedAt).toLocaleString();
  return (
    <div className="recovery" role="alert" data-testid="recovery">
      Unsaved changes to <strong>{entry.name}</strong> from {when} were kept.
      <button
        type="button"
        data-testid="recover"
        onClick={() => {
          recover(entry);
          setOpen(false);
        }}
      >
        Restore
      </button>
      <button
        type="button"
        onClick={() => {
          discardRecovery();
          setOpen(false);
        }}
      >
        Discard
      </button>
    </div>
  );
}
