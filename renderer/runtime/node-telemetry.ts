import { type Observable, Subject } from 'rxjs';
import type { TelemetryFrame } from '../../engine/api';
import type { GraphDocument } from '../../engine/graph';
import type { Owner } from './owner';

type NodeTelemetry = TelemetryFrame['nodes'][number];

/**
 * One stream per layer, fed from the run's throttled telemetry frames: each layer's badge listens to its own
 * and hears nothing of the others. A stream completes when its layer leaves the graph or its owner ends.
 */
export class NodeTelemetryStreams {
  private readonly streams = new Map<string, { owner: Owner; subject: Subject<NodeTelemetry> }>();

  constructor(private readonly owner: Owner) {}

  /** The telemetry of one layer. */
  of(id: string): Observable<NodeTelemetry> {
    let entry = this.streams.get(id);
    if (!entry) {
      const owner = this.owner.child();
      const subject = new Subject<NodeTelemetry>();
      owner.add(() => {
        subject.complete();
        this.streams.delete(id);
      });
      entry = { owner, subject };
      this.streams.set(id, entry);
    }
    return entry.subject.asObservable();
  }

  /** A frame's statistics, each to its layer's stream. */
  deliver(frame: TelemetryFrame): void {
    for (const node of frame.nodes) this.streams.get(node.id)?.subject.next(node);
  }

  /** Layers that left the document lose their streams. */
  keepOnly(doc: GraphDocument): void {
    const ids = new Set(doc.nodes.map((n) => n.id));
    for (const [id, entry] of this.streams) if (!ids.has(id)) entry.owner.dispose();
  }

  get live(): number {
    return this.streams.size;
  }
}
