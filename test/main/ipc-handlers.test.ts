import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createIpcHandlers, type Dialogs } from '../../main/ipc-handlers';
import { RecentFiles } from '../../main/recent-files';
import { sampleTexts } from '../helpers/samples';

const dir = mkdtempSync(join(tmpdir(), 'netloom-ipc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mlpText = sampleTexts().find(([f]) => f === 'mlp.json')![1];

/** Dialogs that answer with what the test queued, as a user clicking would. */
function scriptedDialogs() {
  const answers: { open: (string[] | null)[]; save: (string | null)[] } = { open: [], save: [] };
  const dialogs: Dialogs = {
    openFiles: async () => answers.open.shift() ?? null,
    saveFile: async () => answers.save.shift() ?? null,
  };
  return { dialogs, answers };
}

let handlers: ReturnType<typeof createIpcHandlers>;
let answers: ReturnType<typeof scriptedDialogs>['answers'];
let recent: RecentFiles;

beforeEach(() => {
  const scripted = scriptedDialogs();
  answers = scripted.answers;
  recent = new RecentFiles(join(mkdtempSync(join(dir, 'profile-')), 'recent-files.json'));
  handlers = createIpcHandlers(scripted.dialogs, recent);
});

describe('IPC handlers', () => {
  it('opens the file picked in the dialog and remembers it', async () => {
    const path = join(dir, 'mlp.json');
    writeFileSync(path, mlpText);
    answers.open.push([path]);
    const result = await handlers.openGraph(undefined);
    expect(result).toEqual({ ok: true, value: { path, name: 'mlp.json', text: mlpText } });
    expect(await recent.list()).toEqual([path]);
  });

  it('decodes a graph file as the command line and the browser do: BOM dropped, UTF-16 read, bad bytes named', async () => {
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(mlpText)]));
    answers.open.push([bom]);
    expect(await handlers.openGraph(undefined)).toMatchObject({ ok: true, value: { text: mlpText } });
    const utf16 = join(dir, 'utf16.json');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(mlpText, 'utf16le')]));
    answers.open.push([utf16]);
    expect(await handlers.openGraph(undefined)).toMatchObject({ ok: true, value: { text: mlpText } });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xff]), Buffer.from('"}')]));
    answers.open.push([broken]);
    expect(await handlers.openGraph(undefined)).toEqual({
      ok: false,
      code: 'INVALID_GRAPH',
      message: 'broken.json: not UTF-8 text: byte 0xff at byte 7 is not valid UTF-8 (save the file as UTF-8)',
    });
  });

  it('returns null when the dialog is cancelled', async () => {
    expect(await handlers.openGraph(undefined)).toEqual({ ok: true, value: null });
  });

  it('saves only to paths the user chose, never to one the page names', async () => {
    const chosen = join(dir, 'chosen.json');
    answers.save.push(chosen);
    const saved = await handlers.saveGraphAs({ text: mlpText, suggestedName: 'mlp' });
    expect(saved).toEqual({ ok: true, value: { path: chosen, name: 'chosen.json' } });
    expect(readFileSync(chosen, 'utf8')).toBe(mlpText);
    expect((await handlers.saveGraph({ path: chosen, text: mlpText })).ok).toBe(true);

    const elsewhere = await handlers.saveGraph({ path: join(dir, 'elsewhere.json'), text: mlpText });
    expect(elsewhere).toMatchObject({ ok: false, code: 'NOT_PERMITTED' });
  });

  it('refuses to write text that is not a valid graph, naming the field', async () => {
    const chosen = join(dir, 'broken.json');
    answers.save.push(chosen);
    const doc = JSON.parse(mlpText);
    doc.training.batchSize = 0;
    const result = await handlers.saveGraphAs({ text: JSON.stringify(doc), suggestedName: 'broken.json' });
    expect(result).toMatchObject({ ok: false, code: 'INVALID_GRAPH' });
    if (!result.ok) expect(result.message).toMatch(/training\.batchSize/);
  });

  it('validates every payload', async () => {
    const cases: [keyof typeof handlers, unknown][] = [
      ['openGraph', { path: '/etc/passwd' }],
      ['saveGraph', { path: 3, text: '' }],
      ['saveGraph', { path: '/x', text: 'y', extra: true }],
      ['saveGraphAs', { text: '{}', suggestedName: '../../.bashrc' }],
      ['openRecent', 'not an object'],
      ['openDatasetFiles', { kind: 'exe' }],
      ['recentFiles', { sneaky: 1 }],
    ];
    for (const [name, payload] of cases) {
      const result = await (handlers[name] as (p: unknown) => Promise<{ ok: boolean; code?: string }>)(payload);
      expect(result, `${name} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    }
  });

  it('opens recent files only from the list, and drops ones that vanished', async () => {
    const path = join(dir, 'recent.json');
    writeFileSync(path, mlpText);
    expect(await handlers.openRecent({ path })).toMatchObject({ ok: false, code: 'NOT_PERMITTED' });
    await recent.add(path);
    expect(await handlers.openRecent({ path })).toMatchObject({ ok: true, value: { name: 'recent.json' } });
    rmSync(path);
    expect(await handlers.openRecent({ path })).toMatchObject({ ok: false, code: 'IO_ERROR' });
    expect(await recent.list()).toEqual([]);
  });

  it('refuses graph files over the size limit before reading them', async () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, Buffer.alloc(16 * 1024 * 1024 + 1, 32));
    answers.open.push([path]);
    expect(await handlers.openGraph(undefined)).toMatchObject({ ok: false, code: 'TOO_LARGE' });
  });

  it('reads only regular files: a device or a pipe picked as a graph or as data is refused unread', async () => {
    const fifo = join(dir, 'pipe.csv');
    spawnSync('mkfifo', [fifo]);
    answers.open.push(['/dev/zero']);
    expect(await handlers.openGraph(undefined)).toMatchObject({
      ok: false,
      message: 'zero: not a regular file (a device); only files are read',
    });
    for (const path of ['/dev/zero', fifo]) {
      answers.open.push([path]);
      const result = await handlers.openDatasetFiles({ kind: 'csv' });
      expect(result, path).toMatchObject({ ok: false, code: 'IO_ERROR' });
      expect(result.ok ? '' : result.message).toMatch(/not a regular file \(a (device|pipe)\)/);
    }
  });

  it('hands picked dataset files over a chunk at a time, only through the tokens of the last pick', async () => {
    const a = join(dir, 'train.csv');
    writeFileSync(a, 'x,label\n1,0\n');
    answers.open.push([a]);
    const result = await handlers.openDatasetFiles({ kind: 'csv' });
    if (!result.ok || !result.value) throw new Error('the pick failed');
    const [file] = result.value;
    expect(file).toMatchObject({ name: 'train.csv', size: 12 });
    const read = (token: string, offset: number, length: number) =>
      handlers.readDatasetChunk({ token, offset, length });
    const first = await read(file.token, 0, 8);
    const rest = await read(file.token, 8, 8);
    expect(first.ok && rest.ok && new TextDecoder().decode(Buffer.concat([first.value, rest.value]))).toBe(
      'x,label\n1,0\n',
    );
    // No more than a chunk per message, no token that was not given, no file changed since the pick.
    expect(await read(file.token, 0, 64 * 1024 * 1024)).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    expect(await read('0'.repeat(32), 0, 8)).toMatchObject({ ok: false, code: 'NOT_PERMITTED' });
    writeFileSync(a, 'x,label\n1,0\n2,1\n');
    expect(await read(file.token, 0, 8)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/changed since it was picked/),
    });
    // A new pick replaces the old one's grants.
    answers.open.push([a]);
    await handlers.openDatasetFiles({ kind: 'csv' });
    expect(await read(file.token, 0, 8)).toMatchObject({ ok: false, code: 'NOT_PERMITTED' });
  });

  it('reads the images under a picked folder, named by folder, class and file', async () => {
    const folder = join(dir, 'pets');
    for (const path of ['cat/1.png', 'cat/2.jpg', 'dog/3.jpeg', 'dog/notes.txt']) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), path);
    }
    answers.open.push([folder]);
    const result = await handlers.openDatasetFiles({ kind: 'images' });
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.value!.map((f) => f.name)).toEqual(['pets/cat/1.png', 'pets/cat/2.jpg', 'pets/dog/3.jpeg']);
  });
});

describe('ONNX models through the open dialog', () => {
  it('hands the page the bytes of a model, which it opens as a new graph: the model is never written to', async () => {
    const path = join(dir, 'lenet.onnx');
    const bytes = readFileSync(join(import.meta.dirname, '../fixtures/onnx/lenet.onnx'));
    writeFileSync(path, bytes);
    answers.open.push([path]);
    const result = await handlers.openGraph(undefined);
    expect(result.ok && 'model' in result.value! && Buffer.from(result.value.model).equals(bytes)).toBe(true);
    expect(await recent.list()).toEqual([path]);
    // Save writes only where a graph was opened or saved: not over the model.
    expect(await handlers.saveGraph({ path, text: mlpText })).toMatchObject({ ok: false, code: 'NOT_PERMITTED' });
    expect(Buffer.from(readFileSync(path)).equals(bytes)).toBe(true);
  });
});

describe('weights through the open dialog', () => {
  it('reads the file picked (regular files only), and nothing when cancelled', async () => {
    const path = join(dir, 'run.safetensors');
    writeFileSync(path, new Uint8Array([1, 2, 3]));
    answers.open.push([path]);
    const result = await handlers.openWeights(undefined);
    expect(result.ok && result.value?.name).toBe('run.safetensors');
    expect(result.ok && Array.from(result.value!.bytes)).toEqual([1, 2, 3]);
    expect(await handlers.openWeights(undefined)).toEqual({ ok: true, value: null });
    answers.open.push(['/dev/zero']);
    expect(await handlers.openWeights(undefined)).toMatchObject({ ok: false, code: 'IO_ERROR' });
  });
});

describe('export into a folder', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('writes the files into a folder of the given name inside the chosen one; nothing when cancelled', async () => {
    const chosen = join(dir, 'exports');
    mkdirSync(chosen);
    answers.open.push([chosen]);
    const files = [
      { path: 'net.py', bytes: bytes('print(1)\n') },
      { path: 'pictures/cat/1.png', bytes: new Uint8Array([137, 80, 78, 71]) },
    ];
    expect(await handlers.exportFolder({ name: 'net', files })).toEqual({
      ok: true,
      value: { path: join(chosen, 'net'), files: 2 },
    });
    expect(readFileSync(join(chosen, 'net/net.py'), 'utf8')).toBe('print(1)\n');
    expect([...readFileSync(join(chosen, 'net/pictures/cat/1.png'))]).toEqual([137, 80, 78, 71]);
    expect(await handlers.exportFolder({ name: 'net', files })).toEqual({ ok: true, value: null });
  });

  it('refuses names and paths that would leave the folder, before any dialog or write', async () => {
    for (const [name, path] of [
      ['..', 'net.py'],
      ['a/b', 'net.py'],
      ['net', '../net.py'],
      ['net', '/etc/passwd'],
      ['net', 'a/../../b'],
      ['net', 'C:x'],
      ['net', 'a\\..\\b'],
      ['net', ''],
      ['net', 'a//b'],
    ]) {
      answers.open.push([join(dir, 'never')]);
      const result = await handlers.exportFolder({ name, files: [{ path, bytes: bytes('x') }] });
      expect(result, `${name} ${path}`).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
      answers.open.length = 0;
    }
    expect(await handlers.exportFolder({ name: 'net', files: [{ path: 'x', bytes: 'text' }] })).toMatchObject({
      ok: false,
      code: 'INVALID_PAYLOAD',
    });
    expect(() => readFileSync(join(dir, 'never'))).toThrow();
  });
});

describe('recent files', () => {
  it('keeps the ten newest, newest first, without duplicates', async () => {
    for (let i = 0; i < 12; i++) await recent.add(`/graphs/${i}.json`);
    await recent.add('/graphs/5.json');
    const list = await recent.list();
    expect(list).toHaveLength(10);
    expect(list.slice(0, 3)).toEqual(['/graphs/5.json', '/graphs/11.json', '/graphs/10.json']);
  });

  it('starts a new list when the stored one is damaged', async () => {
    const store = join(dir, 'damaged.json');
    writeFileSync(store, '{"not": "a list"');
    expect(await new RecentFiles(store).list()).toEqual([]);
  });
});
