import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { channels, type MenuCommand, menuCommands, type NetloomBridge } from './ipc-contract';

// Named methods only: the page can reach exactly these channels and nothing else.
const bridge: NetloomBridge = {
  openGraph: () => ipcRenderer.invoke(channels.openGraph),
  openRecent: (request) => ipcRenderer.invoke(channels.openRecent, request),
  saveGraph: (request) => ipcRenderer.invoke(channels.saveGraph, request),
  saveGraphAs: (request) => ipcRenderer.invoke(channels.saveGraphAs, request),
  recentFiles: () => ipcRenderer.invoke(channels.recentFiles),
  openDatasetFiles: (request) => ipcRenderer.invoke(channels.openDatasetFiles, request),
  readDatasetChunk: (request) => ipcRenderer.invoke(channels.readDatasetChunk, request),
  exportFolder: (request) => ipcRenderer.invoke(channels.exportFolder, request),
  openWeights: () => ipcRenderer.invoke(channels.openWeights),
  onMenuCommand(listener) {
    const forward = (_event: IpcRendererEvent, command: MenuCommand) => {
      if (menuCommands.includes(command)) listener(command);
    };
    ipcRenderer.on(channels.menuCommand, forward);
    return () => ipcRenderer.removeListener(channels.menuCommand, forward);
  },
};

contextBridge.exposeInMainWorld('netloom', bridge);
