import type { NetloomBridge } from '../../main/ipc-contract';

declare global {
  interface Window {
    /** Present in the desktop app (set by the preload), absent in a plain browser. */
    netloom?: NetloomBridge;
    /** File System Access API: Chromium-based browsers only. */
    showSaveFilePicker?(options: {
      suggestedName?: string;
      types?: { description: string; accept: Record<string, string[]> }[];
    }): Promise<FileSystemFileHandle>;
  }
}
