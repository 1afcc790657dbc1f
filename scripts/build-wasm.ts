/**
 * Builds the engine's WebAssembly into TypeScript modules holding the bytes, so the engine loads them the
 * same way in workers, browsers and Node, with no build step beyond npm install: the hand-written
 * engine/backend/cpu/wasm/*.wat files (assembled by wabt) and the AssemblyScript kernels in
 * engine/backend/cpu/wasm/kernels/ (compiled by asc into kernels-wasm.ts). Run after editing either:
 * npx tsx scripts/build-wasm.ts (a test fails when the committed bytes differ from the sources).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';
import wabtInit from 'wabt';

const dir = join(import.meta.dirname, '../engine/backend/cpu/wasm');

export async function assemble(file: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(file, readFileSync(join(dir, file), 'utf8'), { simd: true });
  module.validate();
  const { buffer } = module.toBinary({});
  module.destroy();
  return buffer;
}

export function moduleSource(file: string, bytes: Uint8Array, from = file): string {
  const name = file.replace(/\.wat$/, '');
  return `// Built from ${from} by scripts/build-wasm.ts: do not edit.\nexport const ${name}Wasm = '${Buffer.from(bytes).toString('base64')}';\n`;
}

/**
 * The AssemblyScript kernels: no runtime (they only touch memory they are given), the backend's shared
 * memory imported, SIMD on; with `relaxed`, relaxed SIMD too (the products' fused multiply-add: see
 * kernels/math.ts), for the runtimes that validate it (the arena picks).
 */
export async function compileKernels(relaxed = false): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const { error, stderr } = await asc.main(
    [
      join(dir, 'kernels/index.ts'),
      '-O3',
      '--runtime',
      'stub',
      '--importMemory',
      '--sharedMemory',
      '--maximumMemory',
      '32768',
      '--enable',
      'simd',
      '--enable',
      'threads',
      ...(relaxed ? ['--enable', 'relaxed-simd'] : []),
      '--noAssert',
      '--use',
      'abort=',
      '--outFile',
      'kernels.wasm',
    ],
    {
      writeFile(name: string, contents: Uint8Array | string) {
        if (name.endsWith('.wasm')) binary = contents as Uint8Array;
      },
    },
  );
  if (error || !binary) throw new Error(`asc failed: ${error?.message ?? ''}\n${stderr.toString()}`);
  return binary;
}

if (process.argv[1]?.endsWith('build-wasm.ts')) {
  const kernels = await compileKernels();
  writeFileSync(join(dir, 'kernels-wasm.ts'), moduleSource('kernels', kernels, 'kernels/*.ts (AssemblyScript)'));
  console.log(`kernels: ${kernels.length} bytes`);
  const relaxed = await compileKernels(true);
  writeFileSync(
    join(dir, 'kernels-relaxed-wasm.ts'),
    moduleSource('kernelsRelaxed', relaxed, 'kernels/*.ts (AssemblyScript, relaxed SIMD)'),
  );
  console.log(`kernels with relaxed SIMD: ${relaxed.length} bytes`);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.wat'))) {
    const bytes = await assemble(file);
    writeFileSync(join(dir, file.replace(/\.wat$/, '-wasm.ts')), moduleSource(file, bytes));
    console.log(`${file}: ${bytes.length} bytes`);
  }
}
