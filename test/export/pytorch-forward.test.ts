import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPyTorch } from '../../engine/export/pytorch';
import { writeSafetensors } from '../../engine/export/safetensors';
import { type GraphDocument, parseGraphText } from '../../engine/graph';
import { layerDef, layerKinds } from '../../engine/layers/registry';
import { largestRelative, layerGraph, netloomForward } from '../helpers/netloom-forward';
import { pythonExecutable } from '../helpers/python';
import { sampleTexts } from '../helpers/samples';

/** Debian's Python, which has PyTorch (another python3 may come first on PATH). */
const PYTHON = pythonExecutable();
const BATCH = 3;

/**
 * Runs each case's exported module in PyTorch (one Python process for all: importing torch takes a second)
 * on Netloom's initial weights and one batch, in eval mode, and writes its output beside it. The harness
 * imports each generated file as a module, so the file's own reader loads the weights.
 */
function torchForwardAll(dirs: string[]): void {
  const harness = [
    'import importlib.util, json, sys, numpy as np, torch',
    'for i, d in enumerate(sys.argv[1:]):',
    '    spec = importlib.util.spec_from_file_location(f"net{i}", d + "/net.py")',
    '    net = importlib.util.module_from_spec(spec)',
    '    spec.loader.exec_module(net)',
    '    model = net.load_weights(net.Net(), d + "/net.safetensors").eval()',
    '    shape = json.load(open(d + "/shape.json"))',
    '    x = torch.from_numpy(np.fromfile(d + "/input.bin", dtype="<f4").reshape(shape))',
    '    with torch.no_grad():',
    '        model(x).numpy().astype("<f4").tofile(d + "/output.bin")',
  ].join('\n');
  execFileSync(PYTHON, ['-c', harness, ...dirs], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Writes one case's files for the harness. */
function writeCase(dir: string, run: Awaited<ReturnType<typeof forwardAndWeights>>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'net.py'), run.exported.source);
  writeFileSync(join(dir, 'net.safetensors'), run.weights);
  writeFileSync(join(dir, 'input.bin'), new Uint8Array(run.input.buffer));
  writeFileSync(join(dir, 'shape.json'), JSON.stringify([BATCH, ...run.inputShape]));
}

const outputOf = (dir: string) => {
  const bytes = readFileSync(join(dir, 'output.bin'));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
};

/** Netloom's forward pass on fresh weights, with the export of the same weights. */
async function forwardAndWeights(doc: GraphDocument, seed: number) {
  const run = await netloomForward(doc, seed, BATCH);
  const exported = exportPyTorch(doc);
  const weights = writeSafetensors(exported.stateDict(run.weight));
  return { ...run, exported, weights };
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  expect(largestRelative(actual, expected), `${what}: largest relative difference`).toBeLessThan(1e-4);
}

/** Node ids that are Python keywords, dunder or module names, or collide once mangled; labels holding code. */
const hostileIds: Record<string, string> = {
  input: '__init__',
  h1: 'class',
  relu1: 'a-b',
  h2: 'a_b',
  relu2: 'forward',
  scores: '1.x:torch',
};
const hostileLabel = "it's \"quoted\"\nnew line \\ __import__('os').system('touch PWNED') ünïcødé ✓";

/** The spiral sample with every node renamed (its wires follow), labelled with code, and a name to match. */
function spiralWithHostileIds(): GraphDocument {
  const [, text] = sampleTexts().find(([name]) => name === 'spiral.json')!;
  const raw = JSON.parse(text);
  const rename = (id: string) => hostileIds[id] ?? id;
  raw.name = hostileLabel;
  raw.nodes = raw.nodes.map((n: { id: string }) => ({ ...n, id: rename(n.id), label: hostileLabel }));
  raw.edges = raw.edges.map((e: { source: string; target: string }) => ({
    ...e,
    source: rename(e.source),
    target: rename(e.target),
  }));
  const parsed = parseGraphText(JSON.stringify(raw));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.document;
}

const examples = layerKinds
  .filter((kind) => kind !== 'input')
  .flatMap((kind) => layerDef(kind).examples.map((ex, i) => [`${kind} example ${i + 1}`, kind, ex] as const));
const samples = sampleTexts();

describe('the exported PyTorch module computes what Netloom computes', () => {
  const root = mkdtempSync(join(tmpdir(), 'netloom-export-'));
  const expected = new Map<string, Float32Array>();

  beforeAll(async () => {
    const dirs: string[] = [];
    const add = async (name: string, doc: GraphDocument, seed: number) => {
      const run = await forwardAndWeights(doc, seed);
      const dir = join(root, String(dirs.length));
      writeCase(dir, run);
      dirs.push(dir);
      expected.set(name, run.output);
    };
    for (const [name, kind, ex] of examples) await add(name, layerGraph(kind, ex.params, ex.inputs), 11);
    for (const [name, text] of samples) {
      const parsed = parseGraphText(text);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      await add(name, parsed.document, 5);
    }
    await add('hostile ids', spiralWithHostileIds(), 7);
    torchForwardAll(dirs);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const caseDir = (name: string) => join(root, String([...expected.keys()].indexOf(name)));

  it.each(examples)('%s: forward within 1e-4 on the same weights', (name, kind) => {
    expectClose(outputOf(caseDir(name)), expected.get(name)!, kind);
  });

  it.each(samples)('the sample %s: forward within 1e-4 on the same weights', (name) => {
    expectClose(outputOf(caseDir(name)), expected.get(name)!, name);
  });

  it('ids that are keywords or collide, and names and labels holding quotes, newlines, code and unicode, export as data', () => {
    expectClose(outputOf(caseDir('hostile ids')), expected.get('hostile ids')!, 'hostile ids');
    const source = readFileSync(join(caseDir('hostile ids'), 'net.py'), 'utf8');
    expect(
      [...source].every((ch) => ch === '\n' || (ch >= ' ' && ch <= '~')),
      'the file is plain ASCII',
    ).toBe(true);
    // Keywords, names of the file's own and colliding names get identifiers of their own.
    for (const local of ['n__init__', 'class_', 'a_b', 'a_b_2', 'forward_', 'n1_x_torch'])
      expect(source).toMatch(new RegExp(`^        ${local} = `, 'm'));
    // The label and the name stay quoted, escaped, in comments.
    expect(source).toContain(
      "'it\\'s \"quoted\"\\nnew line \\\\ __import__(\\'os\\').system(\\'touch PWNED\\') \\xfcn\\xefc\\xf8d\\xe9 \\u2713'",
    );
    expect(existsSync(join(caseDir('hostile ids'), 'PWNED'))).toBe(false);
    expect(existsSync('PWNED')).toBe(false);
  });

  it('exports the same bytes each time', async () => {
    const doc = spiralWithHostileIds();
    expect(exportPyTorch(doc).source).toBe(exportPyTorch(doc).source);
    const a = await forwardAndWeights(doc, 3);
    const b = await forwardAndWeights(doc, 3);
    expect(Buffer.from(a.weights).equals(Buffer.from(b.weights))).toBe(true);
  });
});
