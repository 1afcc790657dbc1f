import { useEffect, useMemo } from 'react';
import type { MenuCommand } from '../main/ipc-contract';
import { GraphCanvas } from './canvas/GraphCanvas';
import { createCommands, shortcutFor } from './commands';
import { ProblemBanner } from './panels/ProblemBanner';
import { StatusBar } from './panels/StatusBar';
import { Toolbar } from './panels/Toolbar';
import { TrainingBar } from './panels/TrainingBar';
import { platformFiles } from './platform/files';
import { useBackends } from './runtime/use-backends';
import { useGraphAnalysis } from './runtime/use-graph-analysis';
import { useDocumentStore } from './store/document-store';

const isEditable = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function App() {
  const files = useMemo(platformFiles, []);
  const commands = useMemo(() => createCommands(files), [files]);
  const backends = useBackends();
  const analysis = useGraphAnalysis();
  const run = (command: MenuCommand) => {
    commands[command]().catch((error: Error) =>
      useDocumentStore.getState().report({ title: `${command} failed`, details: [error.message] }),
    );
  };

  useEffect(() => {
    // Desktop: the native menu sends commands. Browser: the same commands from the keyboard.
    if (window.netloom) return window.netloom.onMenuCommand((command) => commands[command]());
    const onKey = (event: KeyboardEvent) => {
      const command = shortcutFor(event);
      if (!command || ((command === 'undo' || command === 'redo') && isEditable(event.target))) return;
      event.preventDefault();
      void commands[command]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [commands]);

  useEffect(() => {
    // Closing the tab or window with unsaved changes asks first.
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (useDocumentStore.getState().dirty) event.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);

  return (
    <div className="app">
      <Toolbar run={run} />
      <TrainingBar analysis={analysis} />
      <main className="canvas" data-testid="canvas">
        <ProblemBanner />
        <GraphCanvas analysis={analysis} />
      </main>
      <StatusBar backends={backends} analysis={analysis} />
    </div>
  );
}
