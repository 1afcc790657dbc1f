import type { Plugin } from 'vite';
import { contentSecurityPolicy } from '../main/security';

/** Writes the strict Content-Security-Policy into the built page (Electron and web builds alike). */
export function cspPlugin(): Plugin {
  return {
    name: 'netloom-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy('build') },
        injectTo: 'head',
      },
    ],
  };
}
