import { useEffect, useMemo, useState } from 'react';
import type { LayerKind } from '../engine/layers/registry';
import type { MenuCommand } from '../main/ipc-contract';
import { GraphCanvas } from './canvas/GraphCanvas';
import { createCommands, shortcutFor } from './commands';
import { isEditable } from './editable-target';
import { HelpPanel } from './panels/HelpPanel';
import { Inspector } from './panels/Inspector';
import { Palette } from './panels/Palette';
import { ProblemBanner } from './panels/ProblemBanner';
import { RecoveryBanner } from './panels/RecoveryBanner';
import { ResultsArea } from './panels/ResultsArea';
import { StatusBar } from './panels/StatusBar';
import { Toolbar } from './panels/Toolbar';
import { TrainingBar } from './panels/TrainingBar';
import { platformFiles } from './platform/files';
import { useBackends } from './runtime/use-backends';
import { useGraphAnalysis } from './runtime/use-graph-analysis';
import { findRecovery, startAutosave } from './store/autosave';
import { startClipboard } from './store/clipboard';
import { useDocumentStore } from './store/document-store';
import { addNode } from './store/graph-edits';
import { startGroupKeys } from './store/group-keys';
import { useTrainingStore } from './store/training-store';
import { useViewStore } from './store/view-store';

export function App() {
  const files = useMemo(platformFiles, []);
  const commands = useMemo(() => createCommands(files), [files]);
  const backends = useBackends();
  const analysis = useGraphAnalysis();
  const addAtCentre = (kind: LayerKind) => {
    const doc = useDocumentStore.getState().document;
    // Below the lowest layer, so that clicks build a column.
    const y = doc.nodes.reduce((max, n) => Math.max(max, n.position.y + 90), 40);
    const x = doc.nodes.at(-1)?.position.x ?? 250;
    let id = '';
    useDocumentStore.getState().edit(`Add ${kind}`, (d) => {
      const added = addNode(d, kind, { x, y });
      id = added.id;
      return added.doc;
    });
    useViewStore.getState().select(id);
  };
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

  // The previous session's unsaved document, looked up once, before autosave starts writing.
  const [recovery] = useState(findRecovery);
  useEffect(() => startAutosave(), []);
  useEffect(() => startClipboard(), []);
  useEffect(() => startGroupKeys(), []);
  const [help, setHelp] = useState(false);

  useEffect(() => {
    // Closing the tab or window with unsaved changes, or while a run trains, asks first.
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      const training = useTrainingStore.getState().state;
      if (useDocumentStore.getState().dirty || training === 'running' || training === 'paused') event.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);

  return (
    <div className="app">
      <Toolbar run={run} onHelp={() => setHelp((h) => !h)} />
      <TrainingBar analysis={analysis} />
      <div className="workspace">
        <Palette onAdd={addAtCentre} />
        <div className="centre">
          <main className="canvas" data-testid="canvas">
            <RecoveryBanner entry={recovery} />
            {help && <HelpPanel onClose={() => setHelp(false)} />}
            <ProblemBanner />
            <GraphCanvas analysis={analysis} />
          </main>
          <ResultsArea />
        </div>
        <Inspector analysis={analysis} backends={backends} />
      </div>
      <StatusBar backends={backends} analysis={analysis} />
    </div>
  );
}
