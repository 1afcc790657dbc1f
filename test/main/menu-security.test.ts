import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuCommands } from '../../main/ipc-contract';
import { buildMenuTemplate } from '../../main/menu';
import { contentSecurityPolicy, isAllowedExternalUrl, isAppUrl } from '../../main/security';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

describe('native menu', () => {
  for (const isMac of [false, true]) {
    it(`has the usual accelerators and sends every command (${isMac ? 'macOS' : 'Windows/Linux'})`, () => {
      const sent: string[] = [];
      const items = flatten(buildMenuTemplate((c) => sent.push(c), isMac));
      const accel = (label: string) => items.find((i) => i.label?.replace('&', '').startsWith(label))?.accelerator;
      expect(accel('New')).toBe('CmdOrCtrl+N');
      expect(accel('Open')).toBe('CmdOrCtrl+O');
      expect(accel('Save As')).toBe('CmdOrCtrl+Shift+S');
      expect(accel('Undo')).toBe('CmdOrCtrl+Z');
      expect(accel('Redo')).toBe(isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y');
      const quit = items.find((i) => i.role === 'quit');
      expect(quit?.accelerator).toBe(isMac ? 'Cmd+Q' : 'Ctrl+Q');
      for (const item of items) (item.click as (() => void) | undefined)?.();
      expect([...sent].sort()).toEqual([...menuCommands].sort());
    });
  }
});

describe('security policy', () => {
  it('never allows eval, and allows inline styles only on the dev server', () => {
    for (const mode of ['build', 'dev'] as const) expect(contentSecurityPolicy(mode)).not.toMatch(/unsafe-eval/);
    expect(contentSecurityPolicy('build')).not.toMatch(/unsafe-inline/);
    expect(contentSecurityPolicy('build')).toMatch(/object-src 'none'/);
  });

  it('opens only allow-listed https links outside the app', () => {
    expect(isAllowedExternalUrl('https://arxiv.org/abs/1709.01412')).toBe(true);
    expect(isAllowedExternalUrl('http://arxiv.org/abs/1709.01412')).toBe(false);
    expect(isAllowedExternalUrl('https://arxiv.org.evil.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalUrl('not a url')).toBe(false);
  });

  it('treats only the app page as the app', () => {
    const page = 'file:///opt/netloom/out/renderer/index.html';
    expect(isAppUrl(page, undefined, page)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', undefined, page)).toBe(false);
    expect(isAppUrl('https://example.com/', undefined, page)).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173', page)).toBe(true);
    expect(isAppUrl('http://localhost:9999/', 'http://localhost:5173', page)).toBe(false);
  });
});
