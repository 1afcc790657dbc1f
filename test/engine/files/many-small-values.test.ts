import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../../engine/export/safetensors';
import { crc32 } from '../../../engine/files/crc32';
import { parseGraphText } from '../../../engine/graph';
import { LIMITS } from '../../../engine/graph/limits';
import { readModel } from '../../../engine/onnx/read-model';
import { decodeCheckpoint } from '../../../engine/train/checkpoint';

/*
 * Files that declare millions of tiny things in a few bytes each, which a parser would make objects of
 * before any count was checked: each refused by its count, before it is parsed or decoded.
 */

/** A protobuf varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited protobuf field: tag, length, bytes. */
function field(number: number, body: Uint8Array): Uint8Array {
  const head = [(number << 3) | 2, ...varint(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** `count` copies of `unit`. */
function repeated(unit: number[], count: number): Uint8Array {
  const out = new Uint8Array(unit.length * count);
  for (let i = 0; i < count; i++) out.set(unit, i * unit.length);
  return out;
}

describe('a file of millions of tiny things is refused by its count before they are made', () => {
  it('ONNX: millions of empty nodes, packed 64-bit dimensions, or a long text, counted as they are read', () => {
    // ModelProto.graph (7) holding 4.5 million empty NodeProto (GraphProto.node, 1): 9 MB (8 MB of them took 660 MB decoded whole).
    const nodes = field(7, repeated([0x0a, 0x00], 4_500_000));
    expect(() => readModel(nodes, 'nodes.onnx')).toThrow(
      /^nodes\.onnx: the model declares more than 4000000 values, over what a model may hold$/,
    );
    // An initializer (GraphProto.initializer, 5) whose packed dims (TensorProto.dims, 1) are 4.5 million
    // one-byte varints: each read as a 64-bit integer object.
    const dims = field(7, field(5, field(1, repeated([0x01], 4_500_000))));
    expect(() => readModel(dims, 'dims.onnx')).toThrow(/^dims\.onnx: the model declares more than 4000000 values/);
    // ModelProto.doc_string (6) claiming 100 MB: refused by its length before the text is made.
    const text = new Uint8Array([(6 << 3) | 2, ...varint(100_000_000), 0x61]);
    expect(() => readModel(text, 'text.onnx')).toThrow(
      /^text\.onnx: the model declares more than 67108864 bytes of text/,
    );
  });

  it('JSON: a graph, a weights header and a checkpoint header of millions of values, counted before parsing', () => {
    const values = LIMITS.jsonValues;
    const graph = parseGraphText(`[${'{},'.repeat(values)}{}]`);
    expect(graph.ok).toBe(false);
    if (!graph.ok)
      expect(graph.issues[0].message).toMatch(
        new RegExp(`^more than ${values} values \\(at character \\d+\\): no graph file comes near that$`),
      );
    // A safetensors header of 2 million keys (12 MB): once gigabytes as an object of that many properties.
    const head = new TextEncoder().encode(`{${'"":0,'.repeat(values)}"":0}`);
    const weights = new Uint8Array(8 + head.length);
    new DataView(weights.buffer).setBigUint64(0, BigInt(head.length), true);
    weights.set(head, 8);
    expect(() => readSafetensors(weights, 'w.safetensors')).toThrow(
      new RegExp(`^w\\.safetensors: the header holds more than ${values} values`),
    );
    // A checkpoint with a valid checksum and a header of 4 million values (a history's worth, twice over).
    const json = new TextEncoder().encode(`{"history":[${'0,'.repeat(2 * values)}0]}`);
    const checkpoint = new Uint8Array(16 + Math.ceil(json.length / 4) * 4);
    const view = new DataView(checkpoint.buffer);
    view.setUint32(0, 0x4b434c4e, true);
    view.setUint32(4, 2, true);
    view.setUint32(8, json.length, true);
    checkpoint.set(json, 16);
    view.setUint32(12, crc32(checkpoint.subarray(16)), true);
    expect(() => decodeCheckpoint(checkpoint, 'run.ckpt')).toThrow(
      new RegExp(`^run\\.ckpt: the header holds more than ${2 * values} values`),
    );
  });
});
