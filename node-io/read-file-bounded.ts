import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/** Why a file was not read: the path the user gave and a sentence they can act on. */
export class FileRefused extends Error {
  constructor(
    readonly path: string,
    message: string,
    /** 'size': over the limit; 'kind': not a regular file; 'open': missing or not readable. */
    readonly reason: 'size' | 'kind' | 'open' = 'open',
  ) {
    super(`${path}: ${message}`);
  }
}

/**
 * Reads a regular file of at most `limit` bytes. Devices, FIFOs, sockets and folders are refused before a
 * byte is read (`/dev/zero` has a size of 0 and never ends; a FIFO blocks), and the read itself stops at
 * `limit + 1` bytes whatever the size claimed (files in /proc report 0 and are not), so no file can make the
 * process read more than the limit. The file is opened once and checked through its descriptor, so it cannot
 * be swapped between the check and the read.
 */
export async function readFileBounded(path: string, limit: number, what = 'file'): Promise<Uint8Array> {
  return withRegularFile(path, async (handle, info) => {
    if (info.size > limit)
      throw new FileRefused(path, `${info.size} bytes, over the ${formatBytes(limit)} limit for a ${what}`, 'size');
    const buffer = new Uint8Array(Math.min(info.size, limit) + 1);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        // The file grew past what stat said (or stat lies): at most one byte over the limit is ever held.
        if (filled > limit)
          throw new FileRefused(path, `more than the ${formatBytes(limit)} limit for a ${what}`, 'size');
        break;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > limit) throw new FileRefused(path, `more than the ${formatBytes(limit)} limit for a ${what}`, 'size');
    return buffer.subarray(0, filled);
  });
}

function kindOf(info: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a pipe';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a plain file';
}

function openProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'no such file';
  if (error.code === 'EACCES' || error.code === 'EPERM') return 'no permission to read it';
  if (error.code === 'EISDIR') return 'a folder, not a file';
  return `cannot be opened (${error.code ?? error.message})`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  return `${bytes} bytes`;
}

/**
 * Bytes [offset, offset + length) of a regular file that must still have the size it had when it was
 * picked: a file swapped for a device, or grown or cut since, is refused rather than read differently.
 */
export async function readChunk(
  path: string,
  expectedSize: number,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  return withRegularFile(path, async (handle, info) => {
    if (info.size !== expectedSize)
      throw new FileRefused(
        path,
        `changed since it was picked (${expectedSize} bytes then, ${info.size} now): pick it again`,
        'kind',
      );
    if (offset > expectedSize)
      throw new FileRefused(path, `no byte ${offset} in a file of ${expectedSize} bytes`, 'size');
    const buffer = new Uint8Array(Math.min(length, expectedSize - offset));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  });
}

/** A regular file's size, checked through its descriptor (devices, pipes and folders are refused). */
export async function regularFile(path: string): Promise<{ size: number }> {
  return withRegularFile(path, async (_handle, info) => ({ size: info.size }));
}

/**
 * Opens a path, refuses it unless it is a regular file (checked through the descriptor, so it cannot be
 * swapped between the check and the use), runs `use`, and closes it.
 */
async function withRegularFile<T>(path: string, use: (handle: FileHandle, info: Stats) => Promise<T>): Promise<T> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before we could refuse it.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    throw new FileRefused(path, openProblem(error));
  });
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new FileRefused(path, `not a regular file (${kindOf(info)}); only files are read`, 'kind');
    return await use(handle, info);
  } finally {
    await handle.close();
  }
}
