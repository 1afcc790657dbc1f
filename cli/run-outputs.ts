import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointChecksum } from '../engine/train/checkpoint';
import { prepareFileAtomic, temporaryPattern } from '../node-io/atomic-write';

/** What a report says of the checkpoint written with it: the pair describes one run when these match. */
export interface CheckpointReference {
  path: string;
  /** CRC-32 of the checkpoint's contents, as 8 hex digits (the checksum the file itself carries). */
  checksum: string;
  step: number;
}

export const checksumHex = (bytes: Uint8Array) => (checkpointChecksum(bytes) ?? 0).toString(16).padStart(8, '0');

const paths = (dir: string, name: string) => ({
  checkpoint: join(dir, `${name}.ckpt`),
  report: join(dir, `${name}.report.json`),
});

/**
 * Writes a run's checkpoint and report so that they always describe the same run: both are written in full
 * and synced first, then the checkpoint is renamed into place, then the report. A crash between the two
 * renames leaves the new report's temporary file, which `recoverRunOutputs` finishes at the next start.
 */
export async function writeRunOutputs(dir: string, name: string, checkpoint: Uint8Array, report: string) {
  const to = paths(dir, name);
  const preparedReport = await prepareFileAtomic(to.report, report);
  let preparedCheckpoint: Awaited<ReturnType<typeof prepareFileAtomic>>;
  try {
    preparedCheckpoint = await prepareFileAtomic(to.checkpoint, checkpoint);
  } catch (error) {
    await preparedReport.discard();
    throw error;
  }
  await preparedCheckpoint.commit();
  await preparedReport.commit();
}

/**
 * Before a run writes to a folder: a report left unrenamed by a crash is put in place if it belongs to the
 * checkpoint in place (the crash fell between the two renames), and every other stray temporary file of
 * this run's outputs (a save killed midway) is removed. Returns what it did, for the log.
 */
export async function recoverRunOutputs(dir: string, name: string): Promise<string[]> {
  const to = paths(dir, name);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return []; // No folder yet: nothing to recover.
  }
  const done: string[] = [];
  const checkpointChecksum = await readFile(to.checkpoint).then(checksumHex, () => undefined);
  const strayReports = entries.filter((e) => temporaryPattern(`${name}.report.json`).test(e));
  const strayCheckpoints = entries.filter((e) => temporaryPattern(`${name}.ckpt`).test(e));
  for (const entry of strayReports) {
    const path = join(dir, entry);
    const reference = await readFile(path, 'utf8')
      .then((text) => (JSON.parse(text) as { checkpoint?: CheckpointReference }).checkpoint)
      .catch(() => undefined);
    if (checkpointChecksum !== undefined && reference?.checksum === checkpointChecksum) {
      await rename(path, to.report);
      done.push(`finished writing ${to.report}, which a stopped run left unrenamed`);
    } else {
      await unlink(path).catch(() => {});
      done.push(`removed ${path}, left by a stopped run`);
    }
  }
  for (const entry of strayCheckpoints) {
    await unlink(join(dir, entry)).catch(() => {});
    done.push(`removed ${join(dir, entry)}, left by a stopped run`);
  }
  return done;
}
