import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checksumHex, recoverRunOutputs, writeRunOutputs } from '../../cli/run-outputs';
import { prepareFileAtomic } from '../../node-io/atomic-write';

const root = mkdtempSync(join(tmpdir(), 'netloom-outputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Bytes shaped like a checkpoint's prefix (magic, version, header length, checksum), then a body. */
function checkpointBytes(checksum: number, body: number): Uint8Array {
  const bytes = new Uint8Array(20);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x4b434c4e, true);
  view.setUint32(12, checksum, true);
  bytes[16] = body;
  return bytes;
}

const reportFor = (bytes: Uint8Array, run: string) =>
  `${JSON.stringify({ run, checkpoint: { path: 'x.ckpt', checksum: checksumHex(bytes), step: 1 } })}\n`;

describe("a run's checkpoint and report", () => {
  it('are written as a pair that names the same checkpoint', async () => {
    const dir = mkdtempSync(join(root, 'pair-'));
    const ckpt = checkpointBytes(0xabc, 1);
    await writeRunOutputs(dir, 'x', ckpt, reportFor(ckpt, 'first'));
    const report = JSON.parse(readFileSync(join(dir, 'x.report.json'), 'utf8'));
    expect(report.checkpoint.checksum).toBe(checksumHex(readFileSync(join(dir, 'x.ckpt'))));
    expect(readdirSync(dir).sort()).toEqual(['x.ckpt', 'x.report.json']);
  });

  it('are made one run again at the next start after a crash between the two renames', async () => {
    const dir = mkdtempSync(join(root, 'crash-'));
    const old = checkpointBytes(1, 1);
    await writeRunOutputs(dir, 'x', old, reportFor(old, 'old'));
    // The second run's save is killed after its checkpoint is in place and before its report is.
    const fresh = checkpointBytes(2, 2);
    const report = await prepareFileAtomic(join(dir, 'x.report.json'), reportFor(fresh, 'new'));
    await (await prepareFileAtomic(join(dir, 'x.ckpt'), fresh)).commit();
    expect(JSON.parse(readFileSync(join(dir, 'x.report.json'), 'utf8')).run).toBe('old');
    expect(readdirSync(dir)).toContain(report.temp.split('/').pop());

    const done = await recoverRunOutputs(dir, 'x');
    expect(done).toEqual([expect.stringMatching(/finished writing .*x\.report\.json/)]);
    expect(JSON.parse(readFileSync(join(dir, 'x.report.json'), 'utf8')).run).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['x.ckpt', 'x.report.json']);
  });

  it('lose stray temporary files of a save killed before its renames, and keep what is in place', async () => {
    const dir = mkdtempSync(join(root, 'stray-'));
    const kept = checkpointBytes(7, 7);
    await writeRunOutputs(dir, 'x', kept, reportFor(kept, 'kept'));
    await prepareFileAtomic(join(dir, 'x.ckpt'), checkpointBytes(8, 8));
    await prepareFileAtomic(join(dir, 'x.report.json'), reportFor(checkpointBytes(8, 8), 'killed'));
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    expect(readdirSync(dir)).toHaveLength(5);
    expect(await recoverRunOutputs(dir, 'x')).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'x.ckpt', 'x.report.json']);
    expect(JSON.parse(readFileSync(join(dir, 'x.report.json'), 'utf8')).run).toBe('kept');
  });
});
