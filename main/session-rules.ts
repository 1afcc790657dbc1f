import type { Session } from 'electron';
import { contentSecurityPolicy, devNonceVariable } from './security';

/**
 * Session-wide rules: every permission is denied, whether asked for (camera, notifications), checked
 * (a page probing what it has) or for a device (USB, HID, serial); in development the dev server's
 * responses carry the page's Content-Security-Policy (the built page carries its own).
 */
export function secureSession(session: Session, devServerUrl: string | undefined): void {
  if (devServerUrl) {
    const policy = contentSecurityPolicy('dev', process.env[devNonceVariable]);
    session.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
    });
  }
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback('');
  });
}

/**
 * The development server's URL, honoured only in an unpacked app and only on this machine: a packaged
 * app always loads its own bundled page, whatever the environment says.
 */
export function developmentUrl(fromEnvironment: string | undefined, isPackaged: boolean): string | undefined {
  if (isPackaged || !fromEnvironment) return undefined;
  try {
    const url = new URL(fromEnvironment);
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return (url.protocol === 'http:' || url.protocol === 'https:') && local ? fromEnvironment : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Chromium switches, only where needed: on Linux, WebGPU is still behind 'enable-unsafe-webgpu' and needs
 * the Vulkan feature in Chromium builds of this age; everywhere, the engine worker keeps its tensors in
 * shared WebAssembly memory, which needs SharedArrayBuffer (a page loaded from file:// cannot be made
 * cross-origin isolated by headers).
 */
export function chromiumSwitches(platform: NodeJS.Platform): [name: string, value?: string][] {
  const linux = platform === 'linux';
  return [
    ...(linux ? [['enable-unsafe-webgpu'] as [string]] : []),
    ['enable-features', (linux ? ['SharedArrayBuffer', 'Vulkan'] : ['SharedArrayBuffer']).join(',')],
  ];
}
