import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, session } from 'electron';
import { channels } from './ipc-contract';
import { createIpcHandlers, type Dialogs } from './ipc-handlers';
import { buildMenuTemplate } from './menu';
import { RecentFiles } from './recent-files';
import { createMainWindow, isTrustedPage, lockDownContents, secureSession } from './window';

// WebGPU on Linux needs Vulkan and the unsafe-webgpu switch in Chromium builds of this age. The engine
// worker keeps its tensors in shared WebAssembly memory, which needs SharedArrayBuffer: a page loaded from
// file:// cannot be cross-origin isolated by headers, so the feature is switched on for the app.
const features = process.platform === 'linux' ? ['SharedArrayBuffer', 'Vulkan'] : ['SharedArrayBuffer'];
if (process.platform === 'linux') app.commandLine.appendSwitch('enable-unsafe-webgpu');
app.commandLine.appendSwitch('enable-features', features.join(','));

const dialogs: Dialogs = {
  async openFiles({ title, filters, multiple, folder }) {
    const owner = BrowserWindow.getFocusedWindow();
    const properties: ('openFile' | 'openDirectory' | 'multiSelections')[] = folder
      ? ['openDirectory']
      : multiple
        ? ['openFile', 'multiSelections']
        : ['openFile'];
    const result = owner
      ? await dialog.showOpenDialog(owner, { title, filters, properties })
      : await dialog.showOpenDialog({ title, filters, properties });
    return result.canceled ? null : result.filePaths;
  },
  async saveFile({ title, defaultName, filters }) {
    const owner = BrowserWindow.getFocusedWindow();
    const options = { title, defaultPath: defaultName, filters };
    const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? null : result.filePath;
  },
};

function registerIpc(): void {
  const handlers = createIpcHandlers(dialogs, new RecentFiles(join(app.getPath('userData'), 'recent-files.json')));
  const routes = {
    [channels.openGraph]: handlers.openGraph,
    [channels.openRecent]: handlers.openRecent,
    [channels.saveGraph]: handlers.saveGraph,
    [channels.saveGraphAs]: handlers.saveGraphAs,
    [channels.recentFiles]: handlers.recentFiles,
    [channels.openDatasetFiles]: handlers.openDatasetFiles,
  };
  for (const [channel, handle] of Object.entries(routes)) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      // Only the app's own page may call: not a frame it might embed, not a page it navigated to.
      if (!event.senderFrame || !isTrustedPage(event.senderFrame.url))
        return { ok: false, code: 'NOT_PERMITTED', message: 'caller is not the Netloom page' };
      return handle(payload);
    });
  }
}

app.on('web-contents-created', (_event, contents) => lockDownContents(contents));

app.whenReady().then(() => {
  secureSession(session.defaultSession);
  registerIpc();
  const window = createMainWindow();
  const send = (command: string) => window.webContents.send(channels.menuCommand, command);
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(send, process.platform === 'darwin')));
});

app.on('window-all-closed', () => app.quit());
