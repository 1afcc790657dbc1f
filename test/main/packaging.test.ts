import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FuseV1Config, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';
import config from '../../electron-builder';

// electron-builder's own code, loaded as the CommonJS it is (its modules import each other in a cycle that
// only Node's require resolves in order).
const require = createRequire(import.meta.url);
const { PlatformPackager } = require('app-builder-lib') as typeof import('app-builder-lib');
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as typeof import('builder-util');

const dir = mkdtempSync(join(tmpdir(), 'netloom-fuses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for the Electron binary: bytes around the fuse wire as Electron ships it (the sentinel, wire
 * version 1, eight fuses: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, ASAR
 * integrity off, only-ASAR off, V8 snapshot off, file:// privileges on).
 */
function standInBinary(): string {
  const path = join(dir, 'netloom');
  const wire = Buffer.from([1, 8, ...Buffer.from('10110001')]);
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.alloc(4096, 7),
      Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
      wire,
      Buffer.alloc(4096, 9),
    ]),
  );
  return path;
}

describe('packaging', () => {
  it("is a configuration electron-builder's own schema accepts", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The schema check is real: a misspelt fuse is refused.
    const misspelt = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } };
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration object/,
    );
  });

  it('flips the fuses that close the binary to other uses, as electron-builder applies them', async () => {
    // electron-builder's own translation of the configuration, then the same flip it does after packing.
    // (A private method of electron-builder's, reached through its prototype: the very code it runs.)
    const translate = (PlatformPackager.prototype as unknown as Record<string, (f: unknown) => Promise<FuseV1Config>>)
      .generateFuseConfig;
    const fuses = await translate.call({}, config.electronFuses);
    const binary = standInBinary();
    const { flipFuses } = await import('@electron/fuses');
    await flipFuses(binary, fuses);
    const wire = await getCurrentFuseWire(binary);
    const on = (fuse: FuseV1Options) => String.fromCharCode(wire[fuse] as number);
    expect(on(FuseV1Options.RunAsNode)).toBe('0');
    expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0');
    expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe('0');
    expect(on(FuseV1Options.EnableCookieEncryption)).toBe('1');
    expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe('1');
    expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe('1');
    expect(config.asar).toBe(true);
  });
});
