import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { SCRIPT_ENTRIES, type ScriptEntry } from '../helpers/script-entries';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder holding each child-process entry point bundled to one plain JavaScript file. */
    scriptBundles: string;
  }
}

const root = join(import.meta.dirname, '../..');

/**
 * Each module keeps its own `import.meta.dirname` and `import.meta.filename` in the bundle (they would
 * otherwise name the bundle's folder): the command line finds the bundled datasets relative to its source.
 */
const keepModulePaths: Plugin = {
  name: 'keep-module-paths',
  setup(bundle) {
    bundle.onLoad({ filter: /\.tsx?$/ }, (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const source = readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents: source, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

/**
 * The tests start the command-line tools and a few helpers as child processes, well over a hundred times
 * per run. Through tsx each start costs about a second of CPU (compiling the module graph again); bundled
 * once here with esbuild, the same code starts in about a third of that. One test per tool still runs it
 * through tsx exactly as `npm run` does.
 */
export default async function bundleScripts(project: TestProject): Promise<void> {
  const outdir = join(root, 'node_modules/.cache/netloom-test-scripts');
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(SCRIPT_ENTRIES.map((entry: ScriptEntry) => [entry, `${entry}.ts`])),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins: [keepModulePaths],
  });
  project.provide('scriptBundles', outdir);
}
