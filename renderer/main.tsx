import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './app.css';
import { App } from './App';
import { warmUpChart } from './charts/RunChart';
import { setRuntimeErrorSink } from './runtime/owner';
import { useDocumentStore } from './store/document-store';

// A live stream that fails (the graph analysis, a training stream) tells the user, with what failed.
setRuntimeErrorSink((error, where) => {
  console.error(where, error);
  useDocumentStore.getState().report({
    title: `Something failed in ${where}`,
    details: [error instanceof Error ? error.message : String(error)],
  });
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
warmUpChart();
