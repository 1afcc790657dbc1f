/**
 * Limits a document must respect before anything is allocated for it. A graph file may come from anyone:
 * these keep a hostile or mistaken file from exhausting memory or time.
 */
export const LIMITS = {
  /** Bytes of text accepted as a graph file (checked before JSON parsing). */
  fileBytes: 16 * 1024 * 1024,
  /** Brackets open at once; a v1 document needs 6. */
  nestingDepth: 32,
  /**
   * Values in a JSON file of ours (a graph, a weights or checkpoint header, a run report), counted before
   * it is parsed: a 16 MiB graph of runs' histories holds some 1.6 million.
   */
  jsonValues: 2_000_000,
  nodes: 2_000,
  edges: 8_000,
  runs: 500,
  /** Notes on the canvas. */
  notes: 500,
  epochsPerRun: 100_000,
  /** Elements of one node's output for one sample (64 Mi floats = 256 MiB). */
  sampleTensorElements: 64 * 1024 * 1024,
  /** Bytes of one node's output for a whole batch (fp32). */
  batchTensorBytes: 2 * 1024 * 1024 * 1024,
  /** Bytes of all learnable parameters (fp32); gradients and optimizer slots multiply it. */
  parameterBytes: 1024 * 1024 * 1024,
  /** Bytes of an ONNX model file: the parameters' limit and room for the graph. */
  modelBytes: 1024 * 1024 * 1024 + 64 * 1024 * 1024,
} as const;

export const FLOAT_BYTES = 4;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
