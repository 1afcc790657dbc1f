/**
 * The page's Content-Security-Policy. No 'unsafe-eval' ever; the dev server needs inline styles (Vite
 * injects CSS as <style> tags), a websocket for hot reload and one inline script (React's fast-refresh
 * preamble), allowed by the nonce Vite stamps on the development page's scripts; the built app needs none.
 */
export function contentSecurityPolicy(mode: 'build' | 'dev', devScriptNonce?: string): string {
  const dev = mode === 'dev';
  const nonce = dev && devScriptNonce ? ` 'nonce-${devScriptNonce}'` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${nonce}`,
    `style-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws: http://localhost:*' : ''}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
  ].join('; ');
}

/** Sites a link in the app may open in the user's browser. Anything else is ignored. */
const externalAllowList = ['https://arxiv.org/', 'https://github.com/', 'https://pytorch.org/docs/'];

export function isAllowedExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return false;
  return externalAllowList.some((prefix) => `${parsed.origin}${parsed.pathname}`.startsWith(prefix));
}

/** Whether a URL is the app itself: the dev server's origin while developing, the bundled page otherwise. */
export function isAppUrl(url: string, devServerUrl: string | undefined, appPage: string): boolean {
  try {
    const parsed = new URL(url);
    if (devServerUrl) return parsed.origin === new URL(devServerUrl).origin;
    return parsed.protocol === 'file:' && parsed.pathname === new URL(appPage).pathname;
  } catch {
    return false;
  }
}

/** The environment variable that carries the development page's script nonce from the dev server to main. */
export const devNonceVariable = 'NETLOOM_DEV_SCRIPT_NONCE';
