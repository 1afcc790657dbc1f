import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from './ipc-contract';

/**
 * The native menu. File and edit commands go to the page, which owns the document and its history;
 * quitting and the window items use Electron's roles.
 */
export function buildMenuTemplate(send: (command: MenuCommand) => void, isMac: boolean): MenuItemConstructorOptions[] {
  const command = (label: string, accelerator: string | undefined, name: MenuCommand): MenuItemConstructorOptions => ({
    label,
    ...(accelerator && { accelerator }),
    click: () => send(name),
  });
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      command('&New', 'CmdOrCtrl+N', 'new'),
      command('&Open…', 'CmdOrCtrl+O', 'open'),
      { type: 'separator' },
      command('&Save', 'CmdOrCtrl+S', 'save'),
      command('Save &As…', 'CmdOrCtrl+Shift+S', 'save-as'),
      { type: 'separator' },
      {
        label: '&Export',
        submenu: [
          command('&PyTorch project…', 'CmdOrCtrl+Shift+E', 'export-pytorch'),
          command('&ONNX model…', 'CmdOrCtrl+Alt+E', 'export-onnx'),
          command('&Weights (safetensors)…', undefined, 'export-weights'),
        ],
      },
      // No accelerator: Ctrl+Shift+I opens the developer tools where they are on.
      command('&Import weights…', undefined, 'import-weights'),
      ...(isMac
        ? []
        : [{ type: 'separator' } as const, { role: 'quit', label: 'E&xit', accelerator: 'Ctrl+Q' } as const]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      command('&Undo', 'CmdOrCtrl+Z', 'undo'),
      command('&Redo', isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y', 'redo'),
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const app: MenuItemConstructorOptions[] = isMac
    ? [{ role: 'appMenu', submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'quit', accelerator: 'Cmd+Q' }] }]
    : [];
  return [...app, file, edit, view, { role: 'windowMenu' }];
}
