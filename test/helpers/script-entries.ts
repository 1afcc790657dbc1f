/** The TypeScript entry points the tests start as child processes (bundled once per run: test/setup). */
export const SCRIPT_ENTRIES = [
  'cli/train',
  'cli/export',
  'cli/predict',
  'cli/sweep',
  'test/helpers/save-loop',
  'test/helpers/fuzz-data-run',
  'test/helpers/fuzz-onnx-run',
] as const;

export type ScriptEntry = (typeof SCRIPT_ENTRIES)[number];
