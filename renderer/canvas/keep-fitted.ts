import { type FitViewOptions, useReactFlow, type Viewport } from '@xyflow/react';
import { type RefObject, useCallback, useEffect, useRef } from 'react';

/** How an opened document, the fit button, and an arrangement frame the graph. */
export const FIT: FitViewOptions = { padding: 0.2, duration: 0, maxZoom: 1.2 };

const same = (a: Viewport, b: Viewport) =>
  Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5 && Math.abs(a.zoom - b.zoom) < 1e-4;

/**
 * A fitted view stays fitted when the canvas changes size (the window resized, the results area dragged)
 * as long as the user has not moved it since: the graph framed at 1280 x 800 had a third of it outside the
 * canvas at 900 x 600. A view the user panned or zoomed is theirs, and stays where they left it (as in
 * Figma or draw.io). Returns `frameGraph`, which frames the graph (moving there over `duration` ms) and
 * remembers the view it leaves.
 */
export function useKeepFitted(pane: RefObject<HTMLElement | null>): (duration?: number) => void {
  const { fitView, getViewport, getNodes } = useReactFlow();
  const flow = useRef({ fitView, getViewport, getNodes });
  flow.current = { fitView, getViewport, getNodes };
  /** The view as last framed; null until a graph has been. */
  const framed = useRef<Viewport | null>(null);
  const frameGraph = useCallback((duration = 0) => {
    void flow.current.fitView({ ...FIT, duration }).then(() => {
      framed.current = flow.current.getViewport();
    });
  }, []);

  useEffect(() => {
    const element = pane.current;
    if (!element) return;
    let size = { width: element.clientWidth, height: element.clientHeight };
    let frame = 0;
    const observer = new ResizeObserver(() => {
      const now = { width: element.clientWidth, height: element.clientHeight };
      if (now.width === size.width && now.height === size.height) return;
      size = now;
      // Once per frame however many sizes a drag goes through; a canvas too small to frame anything waits,
      // and so does an empty graph (React Flow would keep the request and frame the first layer dropped).
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const view = framed.current;
        const untouched = view !== null && same(view, flow.current.getViewport());
        if (untouched && size.width > 0 && size.height > 0 && flow.current.getNodes().length > 0) frameGraph();
      });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [pane, frameGraph]);

  return frameGraph;
}
