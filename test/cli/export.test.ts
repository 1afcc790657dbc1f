import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'netloom-export-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, ...args: string[]) {
  const done = spawnSync(process.execPath, ['--import', 'tsx', join(root, `cli/${script}.ts`), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: done.status, out: done.stdout, err: done.stderr };
}

describe('npm run export -- <graph.json> --to pytorch', () => {
  it('writes the module, and with --ckpt its weights; refuses another network, another target, no target', () => {
    copyFileSync(join(root, 'samples/graphs/spiral.json'), join(dir, 'spiral.json'));
    const trained = run('train', join(dir, 'spiral.json'), '--epochs', '1', '--out', dir);
    expect(trained.code, trained.err).toBe(0);

    const exported = run('export', join(dir, 'spiral.json'), '--to', 'pytorch', '--ckpt', join(dir, 'spiral.ckpt'));
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
    const refused = run('export', join(dir, 'wider.json'), '--to', 'pytorch', '--ckpt', join(dir, 'spiral.ckpt'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/spiral\.ckpt belongs to another network/);
    expect(existsSync(join(dir, 'wider.py'))).toBe(false);

    expect(run('export', join(dir, 'spiral.json'), '--to', 'onnx').err).toMatch(/--to names the target: pytorch/);
    expect(run('export', join(dir, 'spiral.json')).code).toBe(2);
  });
});
