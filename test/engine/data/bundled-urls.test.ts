import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDatasets } from '../../../engine/data/bundled';
import type { GraphDocument } from '../../../engine/graph';
import { wholeDataset } from '../../../engine/session-data';
import { chain } from '../../helpers/graphs';
import { bundledFiles } from '../../helpers/samples';

const folder = join(import.meta.dirname, '../../../samples/data/fashion-mnist-small');
const info = bundledDatasets['fashion-mnist-small'];
const doc: GraphDocument = (() => {
  const d = chain([1, 28, 28], [['flatten'], ['dense', { units: 10 }]]);
  return { ...d, training: { ...d.training, dataset: { source: 'sample', name: 'fashion-mnist-small' } } };
})();

// A build's server: the files as shipped, or (as Vite's preview does) unpacked by the browser's side of
// the connection through Content-Encoding; /missing/ answers 404.
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((request, response) => {
    const [, how, file] = (request.url ?? '').split('/');
    if (how === 'missing' || !info.files.includes(file as never)) {
      response.writeHead(404, 'Not Found').end();
      return;
    }
    const bytes = readFileSync(join(folder, file));
    // A connection per file: the test's fetches do not wait on, or reuse, the previous round's sockets.
    const headers = { Connection: 'close', ...(how === 'encoded' ? { 'Content-Encoding': 'gzip' } : {}) };
    response.writeHead(200, headers).end(bytes);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

const urls = (how: string) => Object.fromEntries(info.files.map((f) => [f, `${base}/${how}/${f}`]));

describe('the bundled dataset fetched by the engine from where a build serves it', () => {
  it('gives the same samples as its files handed over, gzipped or unpacked on the way', async () => {
    const handed = await wholeDataset(doc, { kind: 'bundled', files: bundledFiles() }, undefined, 'test');
    expect(handed.count).toBe(2000);
    for (const how of ['plain', 'encoded']) {
      const fetched = await wholeDataset(doc, { kind: 'bundled-urls', urls: urls(how) }, undefined, 'test');
      expect(fetched.count).toBe(handed.count);
      expect(fetched.x).toEqual(handed.x);
      expect(fetched.targets).toEqual(handed.targets);
    }
  });

  it('names the file it could not read', async () => {
    const broken = { ...urls('plain'), 'train-labels.idx.gz': `${base}/missing/train-labels.idx.gz` };
    await expect(wholeDataset(doc, { kind: 'bundled-urls', urls: broken })).rejects.toThrow(
      /the bundled file train-labels\.idx\.gz could not be read: 404 Not Found/,
    );
    const nowhere = { ...urls('plain'), 'train-images.idx.gz': 'http://127.0.0.1:1/train-images.idx.gz' };
    await expect(wholeDataset(doc, { kind: 'bundled-urls', urls: nowhere })).rejects.toThrow(
      /the bundled file train-images\.idx\.gz could not be read/,
    );
  });
});
