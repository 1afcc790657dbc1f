/**
 * Bundles the WebGPU backend's WGSL sources (engine/backend/webgpu/shaders/*.wgsl) into one TypeScript
 * module of strings, so the engine loads them the same way in workers, browsers and Node with no bundler
 * plugin. Run after editing a .wgsl file: npx tsx scripts/build-shaders.ts (a test fails when the module
 * and the sources differ).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wgslKernelParams } from '../engine/backend/webgpu/kernel-params';
import { unaryWgslCases } from '../engine/ops/activations';

const dir = join(import.meta.dirname, '../engine/backend/webgpu/shaders');
export const bundlePath = join(import.meta.dirname, '../engine/backend/webgpu/shader-sources.ts');

/** Lines "//@generated <name>" in a source are replaced by code generated from the operations' tables. */
const generated: Record<string, () => string> = {
  'unary forward cases': () => unaryWgslCases('forward'),
  'unary backward cases': () => unaryWgslCases('backward'),
  'kernel parameters': wgslKernelParams,
};

function expand(source: string, file: string): string {
  return source.replace(/^\/\/@generated (.+)$/gm, (_, name: string) => {
    const make = generated[name];
    if (!make) throw new Error(`${file}: nothing generates "${name}"`);
    return make();
  });
}

export function bundleShaders(): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.wgsl'))
    .sort();
  const entries = files.map(
    (f) =>
      `  ${JSON.stringify(f.replace(/\.wgsl$/, ''))}: ${JSON.stringify(expand(readFileSync(join(dir, f), 'utf8'), f))},`,
  );
  return `// Built from engine/backend/webgpu/shaders/*.wgsl by scripts/build-shaders.ts: do not edit.\nexport const shaderSources: Record<string, string> = {\n${entries.join('\n')}\n};\n`;
}

if (process.argv[1]?.endsWith('build-shaders.ts')) {
  writeFileSync(bundlePath, bundleShaders());
  console.log(`shader-sources.ts: ${readdirSync(dir).filter((f) => f.endsWith('.wgsl')).length} files`);
}
