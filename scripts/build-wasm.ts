/**
 * Assembles the engine's hand-written WebAssembly (engine/backend/cpu/wasm/*.wat) into TypeScript modules
 * holding the bytes, so the engine loads them the same way in workers, browsers and Node, with no build
 * step beyond npm install. Run after editing a .wat file: npx tsx scripts/build-wasm.ts
 * (a test fails when the committed bytes differ from the source).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

export function moduleSource(file: string, bytes: Uint8Array): string {
  const name = file.replace(/\.wat$/, '');
  return `// Assembled from ${file} by scripts/build-wasm.ts: do not edit.\nexport const ${name}Wasm = '${Buffer.from(bytes).toString('base64')}';\n`;
}

if (process.argv[1]?.endsWith('build-wasm.ts')) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.wat'))) {
    const bytes = await assemble(file);
    writeFileSync(join(dir, file.replace(/\.wat$/, '-wasm.ts')), moduleSource(file, bytes));
    console.log(`${file}: ${bytes.length} bytes`);
  }
}
