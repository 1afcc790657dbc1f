import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A file written in full beside its target, not yet in place: `commit` renames it over the target. */
export interface PreparedFile {
  temp: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** The temporary name beside a target: ".<name>.<12 hex digits>.tmp", which `strayTemporaries` finds. */
export const temporaryPattern = (name: string) =>
  new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-f]{12}\\.tmp$`);

/**
 * Writes the data to a temporary file beside the target and fsyncs it; nothing is in place until `commit`
 * renames it over the target (atomic on POSIX and NTFS) and fsyncs the directory so the rename survives a
 * power cut. Two prepared files committed in turn leave, after a crash between them, the second's temporary
 * file beside its target, which a later start can finish or remove.
 */
export async function prepareFileAtomic(target: string, data: string | Uint8Array): Promise<PreparedFile> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temp, 'w', 0o644);
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (error) {
    await file.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await file.close();
  const discard = () => unlink(temp).catch(() => {});
  return {
    temp,
    discard,
    async commit() {
      try {
        await rename(temp, target);
      } catch (error) {
        await discard();
        throw error;
      }
      await syncDirectory(dirname(target));
    },
  };
}

/** Writes a file so that a crash at any moment leaves either the old content or the new, never a mix. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await (await prepareFileAtomic(target, data)).commit();
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; its rename is already durable.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
