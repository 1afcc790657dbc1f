import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { chromiumSwitches, developmentUrl, secureSession } from '../../main/session-rules';

/** A session that records the handlers it is given, to call them as Electron would. */
function recordingSession() {
  const handlers: Record<string, (...args: unknown[]) => unknown> = {};
  const events: Record<string, (...args: unknown[]) => unknown> = {};
  const session = {
    setPermissionRequestHandler: (h: (...args: unknown[]) => unknown) => (handlers.request = h),
    setPermissionCheckHandler: (h: (...args: unknown[]) => unknown) => (handlers.check = h),
    setDevicePermissionHandler: (h: (...args: unknown[]) => unknown) => (handlers.device = h),
    on: (name: string, h: (...args: unknown[]) => unknown) => (events[name] = h),
    webRequest: { onHeadersReceived: (h: (...args: unknown[]) => unknown) => (handlers.headers = h) },
  };
  return { session: session as unknown as Session, handlers, events };
}

describe('session rules', () => {
  it('deny every permission asked, checked, or for a device, and pick no device', () => {
    const { session, handlers, events } = recordingSession();
    secureSession(session, undefined);
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read'])
      handlers.request({}, permission, (granted: boolean) => answers.push(granted));
    expect(answers).toEqual([false, false, false, false]);
    expect(handlers.check({}, 'media', 'file://', {})).toBe(false);
    expect(handlers.device({ deviceType: 'usb', origin: 'file://' })).toBe(false);
    for (const name of ['select-hid-device', 'select-serial-port', 'select-usb-device']) {
      let prevented = false;
      let chosen: string | undefined;
      const callback = (id: string) => (chosen = id);
      const event = { preventDefault: () => (prevented = true) };
      if (name === 'select-serial-port') events[name](event, [], {}, callback);
      else events[name](event, {}, callback);
      expect([name, prevented, chosen]).toEqual([name, true, '']);
    }
    // The built app's page carries its own policy: no header rewriting outside development.
    expect(handlers.headers).toBeUndefined();
  });

  it('honour the development URL only in an unpacked app, and only on this machine', () => {
    expect(developmentUrl('http://localhost:5173/', false)).toBe('http://localhost:5173/');
    expect(developmentUrl('http://127.0.0.1:5173/', false)).toBe('http://127.0.0.1:5173/');
    expect(developmentUrl('http://localhost:5173/', true)).toBeUndefined();
    expect(developmentUrl('https://attacker.example/', false)).toBeUndefined();
    expect(developmentUrl('file:///tmp/page.html', false)).toBeUndefined();
    expect(developmentUrl('not a url', false)).toBeUndefined();
    expect(developmentUrl(undefined, false)).toBeUndefined();
  });

  it('switch on WebGPU flags only on Linux, where Chromium still needs them', () => {
    expect(chromiumSwitches('linux')).toEqual([
      ['enable-unsafe-webgpu'],
      ['enable-features', 'SharedArrayBuffer,Vulkan'],
    ]);
    for (const platform of ['darwin', 'win32'] as const)
      expect(chromiumSwitches(platform)).toEqual([['enable-features', 'SharedArrayBuffer']]);
  });
});
