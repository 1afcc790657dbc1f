import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineApi } from '../../engine/api';
import { parseGraphText } from '../../engine/graph';
import { resolveData } from '../../engine/session-data';
import { runCli, runCliViaTsx } from '../helpers/cli';
import { accuracyOf, runtimeOutput } from '../helpers/onnx-runtime';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'netloom-export-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run export -- <graph.json> --to pytorch', () => {
  it('writes the module, and with --ckpt its weights; refuses another network, another target, no target', () => {
    copyFileSync(join(root, 'samples/graphs/spiral.json'), join(dir, 'spiral.json'));
    const trained = runCli('train', join(dir, 'spiral.json'), '--epochs', '1', '--out', dir);
    expect(trained.code, trained.err).toBe(0);

    const exported = runCliViaTsx(
      'export',
      join(dir, 'spiral.json'),
      '--to',
      'pytorch',
      '--ckpt',
      join(dir, 'spiral.ckpt'),
    );
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out.trim().split('\n')).toEqual([
      join(dir, 'spiral.py'),
      join(dir, 'spiral.safetensors'),
      join(dir, 'spiral-data.csv'),
    ]);
    expect(readFileSync(join(dir, 'spiral.py'), 'utf8')).toMatch(/^class Net\(nn\.Module\):$/m);
    // safetensors: a little-endian header length, then its JSON header naming the module's tensors.
    const weights = readFileSync(join(dir, 'spiral.safetensors'));
    const header = JSON.parse(weights.subarray(8, 8 + Number(weights.readBigUInt64LE(0))).toString('utf8'));
    expect(header['h1.weight']).toMatchObject({ dtype: 'F32', shape: [32, 2] });

    // A checkpoint of another network: nothing written, the file named.
    const other = JSON.parse(readFileSync(join(dir, 'spiral.json'), 'utf8'));
    other.nodes.find((n: { id: string }) => n.id === 'h1').params.units = 16;
    writeFileSync(join(dir, 'wider.json'), JSON.stringify(other));
    const refused = runCli('export', join(dir, 'wider.json'), '--to', 'pytorch', '--ckpt', join(dir, 'spiral.ckpt'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/spiral\.ckpt belongs to another network/);
    expect(existsSync(join(dir, 'wider.py'))).toBe(false);

    expect(runCli('export', join(dir, 'spiral.json'), '--to', 'keras').err).toMatch(
      /--to names the target: pytorch, onnx or netloom \(got "keras"\)/,
    );
    expect(runCli('export', join(dir, 'spiral.json'), '--to', 'pytorch', '--probabilities').code).toBe(2);
    expect(runCli('export', join(dir, 'spiral.json')).code).toBe(2);
    expect(runCli('export', '-h').out).toMatch(/^usage: npm run export -- <graph\.json\|model\.onnx> --to/);
  });
});

describe('npm run export -- <graph.json> --to onnx', () => {
  it("writes the checkpoint's network as ONNX: ONNX Runtime classifies the validation set as the engine does", async () => {
    copyFileSync(join(root, 'samples/graphs/spiral.json'), join(dir, 'spiral.json'));
    const trained = runCli('train', join(dir, 'spiral.json'), '--epochs', '2', '--out', dir);
    expect(trained.code, trained.err).toBe(0);
    const exported = runCli(
      'export',
      join(dir, 'spiral.json'),
      '--to',
      'onnx',
      '--ckpt',
      join(dir, 'spiral.ckpt'),
      '--probabilities',
      '--out',
      join(dir, 'onnx'),
    );
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out.trim()).toBe(join(dir, 'onnx/spiral.onnx'));

    const parsed = parseGraphText(readFileSync(join(dir, 'spiral.json'), 'utf8'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const doc = parsed.document;
    const api = createEngineApi({ gpu: undefined, cores: 1 });
    await api.open({
      doc,
      data: { kind: 'document' },
      checkpoint: new Uint8Array(readFileSync(join(dir, 'spiral.ckpt'))),
    });
    const engine = await api.evaluate();
    await api.close();
    const { validation } = await resolveData(doc, { kind: 'document' });
    const probabilities = await runtimeOutput(
      join(dir, 'onnx/spiral.onnx'),
      { name: 'input', x: validation!.x, dims: [validation!.count, 2] },
      'probabilities',
    );
    expect(engine.accuracy).toBeGreaterThan(0.5);
    expect(accuracyOf(probabilities, 3, validation!.targets)).toBe(engine.accuracy);

    // Without a checkpoint: the weights a run starts from, and a note saying so.
    const fresh = runCli('export', join(dir, 'spiral.json'), '--to', 'onnx', '--out', join(dir, 'fresh'));
    expect(fresh.code, fresh.err).toBe(0);
    expect(fresh.err).toMatch(/no --ckpt: spiral\.onnx holds the weights a run of the graph starts from/);
  });
});
