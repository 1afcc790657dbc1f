import { Fragment, type ReactNode } from 'react';
import { useDocumentStore } from '../store/document-store';

/**
 * Panels whose state belongs to the open document (answers tried, what Look inside showed, runs ticked to
 * compare): another document (New, Open, a sample) mounts them afresh, so nothing of the last one shows in
 * it, even where the new document has a layer or a run of the same id.
 */
export function ForOpenDocument({ children }: { children: ReactNode }) {
  const loadCount = useDocumentStore((s) => s.loadCount);
  return <Fragment key={loadCount}>{children}</Fragment>;
}
