import { downloadBytes } from '../export-pytorch';
import { useDocumentStore } from '../store/document-store';

/**
 * A CSV text the user saves (predictions, a document's runs): a folder the user chooses in the desktop app
 * (the file inside it), a download in the browser. A refusal is reported, naming `what`.
 */
export async function saveCsv(text: string, folder: string, file: string, what: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  if (window.netloom) {
    const written = await window.netloom.exportFolder({ name: folder, files: [{ path: file, bytes }] });
    if (!written.ok)
      useDocumentStore.getState().report({ title: `${what} were not saved`, details: [written.message] });
  } else downloadBytes(bytes, file, 'text/csv');
}
