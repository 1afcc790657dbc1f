import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../engine/backend/backend';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import { exportPyTorch } from '../../engine/export/pytorch';
import { writeSafetensors } from '../../engine/export/safetensors';
import { emptyDocument, type GraphDocument, type GraphNode, loadGraph, parseGraphText } from '../../engine/graph';
import { Random } from '../../engine/init/random';
import { type Shape, size } from '../../engine/layers/layer';
import { type LayerKind, layerDef, layerKinds } from '../../engine/layers/registry';
import { planTraining } from '../../engine/train/plan';
import { buildSession, initialiseParams } from '../../engine/train/session';
import { sampleTexts } from '../helpers/samples';

/** Debian's Python, which has PyTorch (another python3 may come first on PATH). */
const PYTHON = '/usr/bin/python3';
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
function writeCase(dir: string, run: Awaited<ReturnType<typeof netloomForward>>): void {
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

/** Netloom's forward pass (eval mode, CPU) on fresh weights, with the export of the same weights. */
async function netloomForward(doc: GraphDocument, seed: number) {
  const plan = planTraining(doc);
  const be: Backend = createCpuBackend('f32', { fast: false });
  const session = buildSession(be, plan, doc.training, BATCH, doc.training.loss.kind === 'mse' ? 'tensor' : 'class');
  initialiseParams(session, new Random(seed));
  const random = new Random(seed + 1);
  const inputShape = plan.inputNode.outputShape;
  const input = Float32Array.from({ length: BATCH * size(inputShape) }, () => random.uniform(-1, 1));
  be.write(session.input, input);
  session.forward(BATCH, 'eval', 0);
  const output = (await be.read(session.output)).slice(0, BATCH * size(plan.outputNode.outputShape));
  const flat = await be.read(session.flat.params);
  const slots = new Map(session.params.map((s) => [`${s.nodeId}\u0000${s.name}`, s]));
  const states = new Map(session.nodes.map((n) => [n.id, n.passes.state ?? {}]));
  const stateValues = new Map<string, Float32Array>();
  for (const [id, state] of states)
    for (const [name, s] of Object.entries(state))
      stateValues.set(`${id}\u0000${name}`, Float32Array.from(await be.read(s.buf)));
  const exported = exportPyTorch(doc);
  const weights = writeSafetensors(
    exported.stateDict((nodeId, name) => {
      const key = `${nodeId}\u0000${name}`;
      const slot = slots.get(key);
      if (slot) return Float32Array.from(flat.subarray(slot.offset, slot.offset + slot.size));
      const state = stateValues.get(key);
      if (!state) throw new Error(`no parameter ${name} of ${nodeId}`);
      return state;
    }),
  );
  return { exported, weights, input, inputShape, output: Float32Array.from(output) };
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (Math.abs(expected[i]) + 1e-3));
  expect(worst, `${what}: largest relative difference`).toBeLessThan(1e-4);
}

/** A graph of one layer from the registry's examples: an input, then each port fed a tensor of its shape. */
function layerGraph(kind: LayerKind, params: unknown, inputs: readonly Shape[]): GraphDocument {
  const at = { x: 0, y: 0 };
  const ports = layerDef(kind).inputPorts(layerDef(kind).params.parse(params));
  const first = inputs[0];
  const nodes: GraphDocument['nodes'] = [{ id: 'input', kind: 'input', params: { shape: [...first] }, position: at }];
  const edges: GraphDocument['edges'] = [];
  ports.forEach((port, i) => {
    const shape = inputs[i];
    let source = 'input';
    if (size(shape) !== size(first) || shape.some((d, j) => d !== first[j])) {
      // Another shape: a 1 x 1 convolution (images) or a dense layer (vectors) from the input makes it.
      source = `to-${port}`;
      nodes.push(
        shape.length === 3
          ? ({ id: source, kind: 'conv2d', params: { filters: shape[0], kernel: 1 }, position: at } as GraphNode)
          : ({ id: source, kind: 'dense', params: { units: shape[0] }, position: at } as GraphNode),
      );
      edges.push({ id: `e-${source}`, source: 'input', sourcePort: 'out', target: source, targetPort: 'in' });
    }
    edges.push({ id: `e-${port}`, source, sourcePort: 'out', target: 'layer', targetPort: port });
  });
  nodes.push({ id: 'layer', kind, params: params as never, position: at });
  const base = emptyDocument();
  const loaded = loadGraph({
    ...base,
    nodes,
    edges,
    training: { ...base.training, loss: { kind: 'mse' } },
  });
  if (!loaded.ok) throw new Error(`${kind}: ${JSON.stringify(loaded.issues)}`);
  return loaded.document;
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
      const run = await netloomForward(doc, seed);
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
  }, 120_000);
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
    const a = await netloomForward(doc, 3);
    const b = await netloomForward(doc, 3);
    expect(Buffer.from(a.weights).equals(Buffer.from(b.weights))).toBe(true);
  });
});
