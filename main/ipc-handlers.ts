import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { decodeText, TextRefused } from '../engine/files/decode-text';
import { formatIssue, LIMITS, parseGraphText } from '../engine/graph';
import { writeFileAtomic } from '../node-io/atomic-write';
import { FileRefused, readChunk, readFileBounded, regularFile } from '../node-io/read-file-bounded';
import {
  type DatasetFile,
  type DatasetKind,
  datasetCountProblem,
  datasetSizeProblem,
  type ExportedFolder,
  type IpcResult,
  type OpenedGraph,
  type SavedGraph,
  WEIGHTS_FILE_BYTES,
} from './ipc-contract';
import { payloads } from './ipc-payloads';
import type { RecentFiles } from './recent-files';

/** The native dialogs, injected so that the handlers run (and are tested) without Electron. */
export interface Dialogs {
  /** Files, or with `folder` one folder; null when cancelled. */
  openFiles(options: {
    title: string;
    filters: FileFilter[];
    multiple: boolean;
    folder?: boolean;
  }): Promise<string[] | null>;
  saveFile(options: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | null>;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

const graphFilters: FileFilter[] = [{ name: 'Netloom graph', extensions: ['json'] }];
const openFilters: FileFilter[] = [
  { name: 'Netloom graph or ONNX model', extensions: ['json', 'onnx'] },
  ...graphFilters,
  { name: 'ONNX model', extensions: ['onnx'] },
];
const datasetFilters: Record<DatasetKind, FileFilter[]> = {
  idx: [{ name: 'IDX files (MNIST family)', extensions: ['gz', 'idx', 'idx1-ubyte', 'idx3-ubyte', 'ubyte'] }],
  csv: [{ name: 'CSV with a header', extensions: ['csv', 'tsv', 'txt', 'gz'] }],
  images: [{ name: 'Images', extensions: ['png', 'jpg', 'jpeg'] }],
};
/** One dataset file, and all files of one pick together. */

const ok = <T>(value: T): IpcResult<T> => ({ ok: true, value });

/** The PNG and JPEG files under a folder, named by their path inside it ("<class>/<file>"), folder name first. */
async function imagesUnder(folder: string): Promise<{ path: string; name: string }[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(png|jpe?g)$/i.test(e.name))
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path, name: `${basename(folder)}/${relative(folder, path).split(sep).join('/')}` };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The main process side of every bridge method. Payloads are validated here; a graph is only written
 * to a path the user chose in a dialog (or opened before), never to any path the page names.
 */
export function createIpcHandlers(dialogs: Dialogs, recent: RecentFiles) {
  const grantedPaths = new Set<string>();
  /** The dataset files of the last pick, by token: the only files the page may read. */
  let grantedDatasetFiles = new Map<string, { path: string; size: number }>();

  async function readGraph(path: string): Promise<IpcResult<OpenedGraph>> {
    const model = extname(path).toLowerCase() === '.onnx';
    let bytes: Uint8Array;
    try {
      bytes = await readFileBounded(
        path,
        model ? LIMITS.modelBytes : LIMITS.fileBytes,
        model ? 'ONNX model' : 'graph file',
      );
    } catch (error) {
      // A file that is gone or unreadable is an error of the caller's (a recent file is then dropped).
      if (!(error instanceof FileRefused) || error.reason === 'open') throw error;
      const code = error.reason === 'size' ? 'TOO_LARGE' : 'IO_ERROR';
      return { ok: false, code, message: error.message.replace(path, basename(path)) };
    }
    if (model) {
      // Read, never written: the page opens it as a new graph, saved elsewhere (Save As).
      await recent.add(path);
      return ok({ path, name: basename(path), model: bytes });
    }
    let text: string;
    try {
      text = decodeText(bytes, basename(path));
    } catch (error) {
      if (!(error instanceof TextRefused)) throw error;
      return { ok: false, code: 'INVALID_GRAPH', message: error.message };
    }
    grantedPaths.add(path);
    await recent.add(path);
    return ok({ path, name: basename(path), text });
  }

  async function writeGraph(path: string, text: string): Promise<IpcResult<SavedGraph>> {
    const checked = parseGraphText(text);
    if (!checked.ok)
      return { ok: false, code: 'INVALID_GRAPH', message: `not saved: ${checked.issues.map(formatIssue).join('; ')}` };
    await writeFileAtomic(path, text);
    grantedPaths.add(path);
    await recent.add(path);
    return ok({ path, name: basename(path) });
  }

  return {
    async openGraph(payload: unknown): Promise<IpcResult<OpenedGraph | null>> {
      return guard(payloads.none, payload, async () => {
        const picked = await dialogs.openFiles({ title: 'Open graph', filters: openFilters, multiple: false });
        return picked?.[0] === undefined ? ok(null) : readGraph(picked[0]);
      });
    },

    async openRecent(payload: unknown): Promise<IpcResult<OpenedGraph>> {
      return guard(payloads.openRecent, payload, async ({ path }) => {
        if (!(await recent.list()).includes(path))
          return { ok: false, code: 'NOT_PERMITTED', message: `${path} is not in the recent files list` };
        try {
          return await readGraph(path);
        } catch (error) {
          await recent.remove(path);
          throw error;
        }
      });
    },

    async saveGraph(payload: unknown): Promise<IpcResult<SavedGraph>> {
      return guard(payloads.saveGraph, payload, async ({ path, text }) => {
        if (!grantedPaths.has(path))
          return {
            ok: false,
            code: 'NOT_PERMITTED',
            message: `${path} was not opened or saved in this window: use Save As`,
          };
        return writeGraph(path, text);
      });
    },

    async saveGraphAs(payload: unknown): Promise<IpcResult<SavedGraph | null>> {
      return guard(payloads.saveGraphAs, payload, async ({ text, suggestedName }) => {
        const name = extname(suggestedName) === '.json' ? suggestedName : `${suggestedName || 'untitled'}.json`;
        const path = await dialogs.saveFile({ title: 'Save graph as', defaultName: name, filters: graphFilters });
        return path === null ? ok(null) : writeGraph(resolve(path), text);
      });
    },

    async recentFiles(payload: unknown): Promise<IpcResult<string[]>> {
      return guard(payloads.none, payload, async () => ok(await recent.list()));
    },

    async openDatasetFiles(payload: unknown): Promise<IpcResult<DatasetFile[] | null>> {
      return guard(payloads.openDatasetFiles, payload, async ({ kind }) => {
        // An image dataset is a folder with one subfolder per class; the others are files.
        const picked = await dialogs.openFiles({
          title: kind === 'images' ? 'Open an image folder (one subfolder per class)' : 'Open dataset files',
          filters: datasetFilters[kind],
          multiple: kind !== 'images',
          folder: kind === 'images',
        });
        if (picked === null || picked.length === 0) return ok(null);
        const chosen =
          kind === 'images' ? await imagesUnder(picked[0]) : picked.map((path) => ({ path, name: basename(path) }));
        // The count, then the sizes (a stat each), so nothing too large is read.
        const problem =
          datasetCountProblem(chosen.length) ??
          datasetSizeProblem(
            await Promise.all(
              chosen.map(async ({ path }) => ({ name: basename(path), size: (await stat(path)).size })),
            ),
          );
        if (problem) return { ok: false, code: 'TOO_LARGE', message: problem };
        // Regular files only, checked now; their bytes cross later, a chunk at a time, through a token each.
        const granted = new Map<string, { path: string; size: number }>();
        const files: DatasetFile[] = [];
        for (const { path, name } of chosen) {
          const { size } = await regularFile(path);
          const token = randomBytes(16).toString('hex');
          granted.set(token, { path, size });
          files.push({ name, size, token });
        }
        grantedDatasetFiles = granted;
        return ok(files);
      });
    },

    async exportFolder(payload: unknown): Promise<IpcResult<ExportedFolder | null>> {
      return guard(payloads.exportFolder, payload, async ({ name, files }) => {
        const picked = await dialogs.openFiles({
          title: `Export "${name}" into a folder`,
          filters: [],
          multiple: false,
          folder: true,
        });
        if (picked?.[0] === undefined) return ok(null);
        const target = resolve(picked[0], name);
        // The payload's paths were checked part by part; each is checked again where it lands.
        for (const file of files) {
          const at = resolve(target, ...file.path.split('/'));
          const inside = relative(target, at);
          if (inside === '' || inside.startsWith('..') || isAbsolute(inside))
            return { ok: false, code: 'NOT_PERMITTED', message: `${file.path} is not a path inside the folder` };
        }
        for (const file of files) {
          const at = resolve(target, ...file.path.split('/'));
          await mkdir(dirname(at), { recursive: true });
          await writeFileAtomic(at, file.bytes);
        }
        return ok({ path: target, files: files.length });
      });
    },

    async openWeights(payload: unknown): Promise<IpcResult<{ name: string; bytes: Uint8Array } | null>> {
      return guard(payloads.none, payload, async () => {
        const picked = await dialogs.openFiles({
          title: 'Import weights',
          filters: [{ name: 'Weights (safetensors)', extensions: ['safetensors'] }],
          multiple: false,
        });
        if (picked?.[0] === undefined) return ok(null);
        // Read within the limit, regular files only; the page checks what it holds before using any of it.
        return ok({
          name: basename(picked[0]),
          bytes: await readFileBounded(picked[0], WEIGHTS_FILE_BYTES, 'weights file'),
        });
      });
    },

    async readDatasetChunk(payload: unknown): Promise<IpcResult<Uint8Array>> {
      return guard(payloads.readDatasetChunk, payload, async ({ token, offset, length }) => {
        const file = grantedDatasetFiles.get(token);
        if (!file)
          return {
            ok: false,
            code: 'NOT_PERMITTED',
            message: 'that file was not picked (or a newer pick replaced it)',
          };
        return ok(await readChunk(file.path, file.size, offset, length));
      });
    },
  };
}

export type IpcHandlers = ReturnType<typeof createIpcHandlers>;

/** Validates the payload, runs the handler, and turns a file system error into a result. */
async function guard<S extends z.ZodType, T>(
  schema: S,
  payload: unknown,
  run: (value: z.infer<S>) => Promise<IpcResult<T>>,
): Promise<IpcResult<T>> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: 'INVALID_PAYLOAD', message: `${issue.path.join('.') || 'payload'}: ${issue.message}` };
  }
  try {
    return await run(parsed.data);
  } catch (error) {
    if (error instanceof FileRefused) return { ok: false, code: 'IO_ERROR', message: error.message };
    const e = error as NodeJS.ErrnoException;
    return { ok: false, code: 'IO_ERROR', message: e.code ? `${e.code}: ${e.message}` : String(e.message ?? e) };
  }
}
