import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, session } from 'electron';
import { channels } from './ipc-contract';
import { createIpcHandlers, type Dialogs } from './ipc-handlers';
import { buildMenuTemplate } from './menu';
import { RecentFiles } from './recent-files';
import { chromiumSwitches, secureSession } from './session-rules';
import { createMainWindow, devServerUrl, isTrustedPage, lockDownContents } from './window';

for (const [name, value] of chromiumSwitches(process.platform)) app.commandLine.appendSwitch(name, value);

const dialogs: Dialogs = {
  async openFiles({ title, filters, multiple, folder }) {
    const owner = BrowserWindow.getFocusedWindow();
    const properties: ('openFile' | 'openDirectory' | 'multiSelections' | 'createDirectory')[] = folder
      ? ['openDirectory', 'createDirectory']
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
    [channels.readDatasetChunk]: handlers.readDatasetChunk,
    [channels.exportFolder]: handlers.exportFolder,
    [channels.openWeights]: handlers.openWeights,
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
  secureSession(session.defaultSession, devServerUrl);
  registerIpc();
  const window = createMainWindow();
  const send = (command: string) => window.webContents.send(channels.menuCommand, command);
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(send, process.platform === 'darwin')));
});

app.on('window-all-closed', () => app.quit());
