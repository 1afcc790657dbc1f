import { describe, expect, it } from 'vitest';
import { fileStem } from '../../../engine/export/python-text';

describe("an exported file's name from the graph's name", () => {
  it('keeps letters, digits, _ . -; each run of anything else becomes one _, none at the ends', () => {
    expect(fileStem('AlexNet (small)')).toBe('AlexNet_small');
    expect(fileStem('MLP 784-256-256-10')).toBe('MLP_784-256-256-10');
    expect(fileStem('LSTM over image rows')).toBe('LSTM_over_image_rows');
    expect(fileStem('réseau v1.2')).toBe('r_seau_v1.2');
  });

  it('makes no hidden file, no parent folder, no path, and a name for a name of nothing usable', () => {
    expect(fileStem('.hidden')).toBe('hidden');
    expect(fileStem('..')).toBe('network');
    expect(fileStem('../../etc/passwd')).toBe('etc_passwd');
    expect(fileStem('C:\\Windows\\x')).toBe('C_Windows_x');
    expect(fileStem('  ')).toBe('network');
    expect(fileStem('')).toBe('network');
  });

  it('holds at most 64 characters, with no separator left at the cut', () => {
    expect(fileStem('a'.repeat(100))).toBe('a'.repeat(64));
    expect(fileStem(`${'a'.repeat(63)} b`)).toBe('a'.repeat(63));
  });
});
