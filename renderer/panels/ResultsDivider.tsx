import { useRef } from 'react';

/** The results area's height at most, as a share of the column it shares with the canvas. */
const MOST = 0.8;
const LEAST = 120;
/** Pixels an arrow key moves the divider. */
const KEY_STEP = 24;

/**
 * The bar between the canvas and the results (chart, evaluation, Try): drag it, or focus it and use the arrow
 * keys, to give either more room. The height is the caller's (kept in the view state, never in the document).
 */
export function ResultsDivider({ height, onHeight }: { height: number; onHeight(height: number): void }) {
  const start = useRef<{ y: number; height: number; room: number } | null>(null);
  const clamp = (h: number, room: number) => Math.round(Math.min(Math.max(h, LEAST), room * MOST));
  const roomOf = (bar: HTMLElement) => bar.parentElement?.getBoundingClientRect().height ?? window.innerHeight;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a draggable splitter is a focusable separator (WAI-ARIA's window splitter); <hr> cannot take focus or keys
    <div
      className="results-divider"
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize the results area"
      aria-valuenow={height}
      tabIndex={0}
      data-testid="results-divider"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { y: e.clientY, height, room: roomOf(e.currentTarget) };
      }}
      onPointerMove={(e) => {
        const s = start.current;
        if (s) onHeight(clamp(s.height + s.y - e.clientY, s.room));
      }}
      onPointerUp={() => {
        start.current = null;
      }}
      onKeyDown={(e) => {
        const by = e.key === 'ArrowUp' ? KEY_STEP : e.key === 'ArrowDown' ? -KEY_STEP : 0;
        if (by === 0) return;
        e.preventDefault();
        onHeight(clamp(height + by, roomOf(e.currentTarget)));
      }}
    />
  );
}
