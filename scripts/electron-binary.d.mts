// Types of electron-binary.mjs (plain JavaScript so that `npm start` runs before anything is compiled).
export function downloadSource(env?: NodeJS.ProcessEnv): string;
export function explainDownloadFailure(errorText: unknown, env?: NodeJS.ProcessEnv): string;
export const downloadHelp: string[];
export class ElectronUnavailable extends Error {}
export function ensureElectronBinary(options?: {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  electronDir?: string;
}): string;
