import { DATASET_PICK_LIMITS } from '../../engine/files/pick-limits';

/** A dropped file with the path it had under what was dropped ("shoes/a.png" for a folder "shoes"). */
export interface DroppedFile {
  path: string;
  file: File;
}

/**
 * The files dropped on the page, folders walked (their files in path order), keeping those `keep` accepts.
 * Stops listing past the pick limit on the number of files, so a dropped disk cannot hang the page; the
 * caller checks the count and sizes against the limits before reading any file.
 */
export async function droppedFiles(data: DataTransfer, keep: (name: string) => boolean): Promise<DroppedFile[]> {
  const found: DroppedFile[] = [];
  const over = () => found.length > DATASET_PICK_LIMITS.files;
  const entries = [...data.items].map((item) => ({ item, entry: item.webkitGetAsEntry?.() ?? null }));
  for (const { item, entry } of entries) {
    if (over()) break;
    if (entry) await walk(entry, found, keep, over);
    else {
      // No entry (a synthetic drop): the item's file as it is.
      const file = item.getAsFile();
      if (file && keep(file.name)) found.push({ path: file.name, file });
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(
  entry: FileSystemEntry,
  found: DroppedFile[],
  keep: (name: string) => boolean,
  over: () => boolean,
): Promise<void> {
  if (over()) return;
  if (entry.isFile) {
    if (!keep(entry.name)) return;
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    found.push({ path: entry.fullPath.replace(/^\//, ''), file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries gives a folder's entries a batch at a time, until an empty batch.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0 || over()) return;
    for (const child of batch) await walk(child, found, keep, over);
  }
}
