/** Limits on one pick of dataset files (the app's dialog, a folder on the command line), checked before any is read. */
export const DATASET_PICK_LIMITS = {
  files: 100_000,
  fileBytes: 1024 * 1024 * 1024,
  totalBytes: 2 * 1024 * 1024 * 1024,
};

/** Why a pick of this many dataset files is refused, or null (checked before their sizes are asked). */
export function datasetCountProblem(count: number): string | null {
  return count > DATASET_PICK_LIMITS.files
    ? `${count} files picked, over the limit of ${DATASET_PICK_LIMITS.files}`
    : null;
}

/** Why dataset files of these names and sizes are refused, or null (checked before any is read). */
export function datasetSizeProblem(files: readonly { name: string; size: number }[]): string | null {
  const { fileBytes, totalBytes } = DATASET_PICK_LIMITS;
  let total = 0;
  for (const f of files) {
    total += f.size;
    if (f.size > fileBytes || total > totalBytes) return `${f.name}: the picked files exceed ${totalBytes} bytes`;
  }
  return null;
}
