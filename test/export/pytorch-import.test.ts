import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrainingData } from '../../cli/load-data';
import { createEngineApi } from '../../engine/api';
import { checkpointWeights } from '../../engine/export/pytorch';
import { readSafetensors, writeSafetensors } from '../../engine/export/safetensors';
import { parseGraphText } from '../../engine/graph';
import { runCli } from '../helpers/cli';
import { pythonExecutable } from '../helpers/python';
import { samplesDir } from '../helpers/samples';

const PYTHON = pythonExecutable();
const dir = mkdtempSync(join(tmpdir(), 'netloom-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openSample(file: string) {
  const parsed = parseGraphText(readFileSync(join(samplesDir, file), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const run = await loadTrainingData(parsed.document, [], samplesDir);
  const api = createEngineApi({ gpu: undefined, cores: 1 });
  await api.open({ doc: run.doc, data: run.data, options: { checkpointIntervalMs: Number.POSITIVE_INFINITY } });
  return { api, run };
}

/** A safetensors header with its length, then a body of `bodyBytes` zeros. */
function rawSafetensors(header: unknown, bodyBytes: number, claimedLength?: bigint): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + head.length + bodyBytes);
  new DataView(out.buffer).setBigUint64(0, claimedLength ?? BigInt(head.length), true);
  out.set(head, 8);
  return out;
}

describe('weights back from PyTorch', () => {
  it('Netloom checkpoint → safetensors → one epoch in PyTorch → safetensors → Netloom: the test accuracy PyTorch reported', async () => {
    const { api, run } = await openSample('mlp.json');
    await api.run({ steps: 40 });
    const checkpoint = await api.checkpoint();
    const start = join(dir, 'start.safetensors');
    writeFileSync(start, checkpointWeights(run.doc, checkpoint, 'mlp.ckpt'));
    const out = join(dir, 'mlp');
    const exported = runCli('export', join(samplesDir, 'mlp.json'), '--to', 'pytorch', '--out', out);
    expect(exported.code, exported.err).toBe(0);
    const lines = execFileSync(PYTHON, ['mlp.py', '--epochs', '1', '--weights', start, '--out', 'trained'], {
      cwd: out,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const reported = lines.at(-1);
    expect(reported.test_accuracy).toBeGreaterThan(0.6);

    await api.importWeights({
      bytes: readFileSync(join(out, 'trained/mlp.safetensors')),
      file: 'mlp.safetensors',
    });
    if (!run.test) throw new Error('the bundled sample has a test set');
    const ours = await api.evaluate(run.test);
    await api.close();
    expect(
      Math.abs((ours.accuracy ?? 0) - reported.test_accuracy),
      `Netloom ${ours.accuracy}, PyTorch ${reported.test_accuracy}`,
    ).toBeLessThanOrEqual(0.001);
    expect(Math.abs(ours.loss - reported.test_loss) / reported.test_loss).toBeLessThan(1e-4);
  });

  it('refuses a missing tensor, another shape, a stranger, a lying or truncated header, another dtype and a 10 GiB tensor; the session keeps its weights', async () => {
    const { api, run } = await openSample('spiral.json');
    await api.run({ steps: 5 });
    const before = await api.evaluate();
    const good = checkpointWeights(run.doc, await api.checkpoint(), 'spiral.ckpt');
    const headerOf = (bytes: Uint8Array) =>
      JSON.parse(
        new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))),
      );
    const tensors = headerOf(good);
    const refused = async (bytes: Uint8Array) => {
      try {
        await api.importWeights({ bytes, file: 'w.safetensors' });
        return 'loaded';
      } catch (e) {
        return (e as Error).message;
      }
    };
    const f32 = (shape: number[]) => ({ name: 'x', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    // Tensors of the module, one short, one of another shape, one too many.
    const all = Object.entries(tensors)
      .filter(([k]) => k !== '__metadata__')
      .map(([name, t]) => ({ ...f32((t as { shape: number[] }).shape), name }));
    expect(await refused(writeSafetensors(all.filter((t) => t.name !== 'h2.bias')))).toMatch(
      /^w\.safetensors: no tensor "h2\.bias" \(layer "h2"\)/,
    );
    expect(
      await refused(writeSafetensors(all.map((t) => (t.name === 'h1.weight' ? { ...f32([32, 3]), name: t.name } : t)))),
    ).toMatch(/tensor "h1\.weight" has shape \[32,3\]; layer "h1" needs \[32,2\]/);
    expect(await refused(writeSafetensors([...all, { ...f32([2]), name: 'extra' }]))).toMatch(
      /tensor "extra" is not one of this network's/,
    );
    // Hostile files: nothing is allocated for what they claim.
    expect(await refused(good.subarray(0, 5))).toMatch(/too short/);
    expect(await refused(rawSafetensors({}, 0, 1n << 40n))).toMatch(/the header claims 1099511627776 bytes/);
    expect(await refused(good.subarray(0, good.length - 4))).toMatch(/has bytes .* in a body of/);
    expect(await refused(rawSafetensors({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4))).toMatch(
      /tensor "w" is F16; only F32 is read/,
    );
    expect(
      await refused(rawSafetensors({ big: { dtype: 'F32', shape: [65536, 65536, 640], data_offsets: [0, 16] } }, 16)),
    ).toMatch(/tensor "big" of shape \[65536,65536,640\] needs more bytes than the file's 16/);
    expect(await refused(rawSafetensors([1, 2], 0))).toMatch(/not a JSON object/);
    const f32At = (begin: number, count: number) => ({
      dtype: 'F32',
      shape: [count],
      data_offsets: [begin, begin + 4 * count],
    });
    expect(await refused(rawSafetensors({ a: f32At(0, 4), b: f32At(8, 4) }, 24))).toMatch(
      /tensors "a" \(bytes 0\.\.16\) and "b" \(bytes 8\.\.24\) overlap: each tensor has bytes of its own/,
    );
    // The session's weights did not change.
    expect(await api.evaluate()).toEqual(before);
    // And the good file loads.
    expect(await refused(good)).toBe('loaded');
    await api.close();
  });

  it('reads a file of many tensors, empty ones among them, and refuses one naming the same bytes many times before copying any', () => {
    // 1 MiB named 10,000 times would be 40 GiB of copies: refused, and nothing allocated for it.
    const mib = 1 << 20;
    const many = Object.fromEntries(
      Array.from({ length: 10_000 }, (_, i) => [`t${i}`, { dtype: 'F32', shape: [mib / 4], data_offsets: [0, mib] }]),
    );
    expect(() => readSafetensors(rawSafetensors(many, mib), 'big.safetensors')).toThrow(
      /^big\.safetensors: tensors "t\d+" \(bytes 0\.\.1048576\) and "t\d+" \(bytes 0\.\.1048576\) overlap/,
    );
    // Tensors side by side, empty ones at their edges (as PyTorch's writer places them): all read.
    const side = readSafetensors(
      rawSafetensors(
        {
          e0: { dtype: 'F32', shape: [0], data_offsets: [0, 0] },
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          e1: { dtype: 'F32', shape: [3, 0], data_offsets: [8, 8] },
          b: { dtype: 'F32', shape: [1, 2], data_offsets: [8, 16] },
        },
        16,
      ),
      'w.safetensors',
    );
    expect([...side.keys()]).toEqual(['e0', 'a', 'e1', 'b']);
    expect(side.get('b')?.shape).toEqual([1, 2]);
    expect(side.get('e1')?.data.length).toBe(0);
  });
});
