import type { Configuration } from 'electron-builder';

/**
 * Packaging (npm run dist): the built app in an ASAR archive, with Electron's fuses set so that the
 * shipped binary cannot be turned into something else. Each fuse is flipped in the binary at packaging
 * time; the comments say what each one closes.
 */
const config: Configuration = {
  appId: 'app.netloom.desktop',
  productName: 'Netloom',
  directories: { output: 'release', buildResources: 'build' },
  // The bundles electron-vite builds (main, preload, renderer with its worker and samples), no sources.
  files: ['out/**', 'package.json', '!**/*.map'],
  asar: true,
  electronFuses: {
    // ELECTRON_RUN_AS_NODE would make the app a plain Node.js that runs any script.
    runAsNode: false,
    // Cookies and local storage encrypted at rest with the OS keychain.
    enableCookieEncryption: true,
    // NODE_OPTIONS could preload code into the main process.
    enableNodeOptionsEnvironmentVariable: false,
    // --inspect would open a debugger on the main process.
    enableNodeCliInspectArguments: false,
    // The archive's hash is checked at start-up (macOS and Windows): a modified app.asar does not run.
    enableEmbeddedAsarIntegrityValidation: true,
    // Only the app inside app.asar is loaded, never a loose app/ folder placed beside it.
    onlyLoadAppFromAsar: true,
    // The page and its engine worker are loaded from file:// (module workers and the bundled sample data
    // need file's privileges); a custom app:// protocol would be needed before this fuse can be turned off.
    grantFileProtocolExtraPrivileges: true,
  },
  linux: { target: ['AppImage'], category: 'Development' },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools', hardenedRuntime: true },
  win: { target: ['nsis'] },
};

export default config;
