import { describe, expect, it } from 'vitest';
import { parseGraphText } from '../../../engine/graph';
import { pick, seededRandom } from '../../helpers/random';
import { sampleTexts } from '../../helpers/samples';

/**
 * Random mutations of the sample documents: loading must either succeed or return issues,
 * never throw and never take over a second.
 */
const CASES = 10_000;
const SEED = 20261127;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const nasty: Json[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -1e308,
  2 ** 53 + 1,
  0.5,
  65537,
  '',
  'x'.repeat(5000),
  '__proto__',
  'constructor',
  [],
  {},
  [[[[[[[[]]]]]]]],
  { __proto__: { polluted: true } } as unknown as Json,
  { shape: [-1] },
  { kind: 'dense' },
];

const DEEP = '__deep__';
const deepText = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;

/** Every container in the tree, so a mutation can land anywhere. */
function containers(root: Json): (Json[] | { [key: string]: Json })[] {
  const out: (Json[] | { [key: string]: Json })[] = [];
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v !== null && typeof v === 'object') {
      out.push(v);
      for (const child of Object.values(v)) stack.push(child);
    }
  }
  return out;
}

function mutateTree(doc: Json, rand: () => number): void {
  const all = containers(doc);
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const target = pick(rand, all);
    const keys = Object.keys(target);
    const key = keys.length > 0 ? pick(rand, keys) : '0';
    const rec = target as Record<string, Json>;
    switch (Math.floor(rand() * 7)) {
      case 0:
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete rec[key];
        break;
      case 1:
        rec[key] = pick(rand, nasty);
        break;
      case 2: {
        const v = rec[key];
        rec[key] = typeof v === 'number' ? v * pick(rand, [-1, 0, 1000, 1e9, 0.5]) : String(v);
        break;
      }
      case 3:
        if (Array.isArray(target))
          for (let i = 0; i < 1 + rand() * 3000; i++) target.push(structuredClone(target[0] ?? null));
        else rec[`extra${Math.floor(rand() * 10)}`] = pick(rand, nasty);
        break;
      case 4:
        // Deep nesting where a value was (spliced in as text: JSON.stringify itself would overflow).
        rec[key] = DEEP;
        break;
      case 5:
        rec[key] = structuredClone(pick(rand, all)) as Json;
        break;
      default:
        if (Array.isArray(target) && target.length > 1) target.reverse();
        else rec[key] = rand() < 0.5 ? 'in1' : 'ghost';
    }
  }
}

function mutateText(text: string, rand: () => number): string {
  const at = Math.floor(rand() * text.length);
  switch (Math.floor(rand() * 4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return (
        text.slice(0, at) + pick(rand, ['{', '}', '[', ']', '"', ',', ':', '\\u0000', '9e999', '-']) + text.slice(at)
      );
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 50));
    default:
      return `${'['.repeat(100_000)}${text}`;
  }
}

describe('graph loader fuzz', () => {
  it(`survives ${CASES} seeded mutations of the samples`, () => {
    const rand = seededRandom(SEED);
    const samples = sampleTexts();
    let accepted = 0;
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const [name, text] = samples[i % samples.length];
      let input: string;
      if (rand() < 0.8) {
        const doc = JSON.parse(text) as Json;
        mutateTree(doc, rand);
        input = JSON.stringify(doc).replaceAll(`"${DEEP}"`, deepText);
      } else {
        input = mutateText(text, rand);
      }
      const start = performance.now();
      let result: ReturnType<typeof parseGraphText>;
      try {
        result = parseGraphText(input);
      } catch (error) {
        throw new Error(`case ${i} (${name}, seed ${SEED}) threw: ${(error as Error).stack}`);
      }
      const ms = performance.now() - start;
      slowest = Math.max(slowest, ms);
      expect(ms, `case ${i} (${name}) took ${ms} ms`).toBeLessThan(1000);
      if (result.ok) accepted++;
      else {
        expect(result.issues.length).toBeGreaterThan(0);
        for (const issue of result.issues) expect(typeof issue.message).toBe('string');
      }
    }
    // The mutations must exercise both outcomes, or the test proves nothing.
    expect(accepted).toBeGreaterThan(CASES * 0.02);
    expect(accepted).toBeLessThan(CASES * 0.9);
    console.log(`fuzz: ${CASES} cases, ${accepted} accepted, slowest ${slowest.toFixed(1)} ms`);
  });
});
