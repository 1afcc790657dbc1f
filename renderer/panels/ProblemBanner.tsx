import { useEffect } from 'react';
import { useDocumentStore } from '../store/document-store';

/** What went wrong (or needs attention), with every issue the loader found; the document is untouched. */
export function ProblemBanner() {
  const problem = useDocumentStore((s) => s.problem);
  const report = useDocumentStore((s) => s.report);
  // Escape dismisses it, as it does other panels.
  useEffect(() => {
    if (!problem) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') report(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [problem, report]);
  if (!problem) return null;
  return (
    <div className="problem" role="alert" data-testid="problem">
      <div className="problem-title">
        <strong>{problem.title}</strong>
        <button type="button" onClick={() => report(null)} aria-label="Dismiss">
          ×
        </button>
      </div>
      <ul>
        {problem.details.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}
