import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../node-io/atomic-write';
import { scriptArgs } from '../helpers/cli';
import { seededRandom } from '../helpers/random';
import { versionText, wholeVersion } from '../helpers/versioned-text';

const dir = mkdtempSync(join(tmpdir(), 'netloom-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Kills that must land mid-save for the test to prove anything, and the most writers started to get them. */
const MID_SAVE = 30;
const MAX_KILLS = 240;

/**
 * Starts a writer and SIGKILLs it as its `saveNumber`-th save begins, plus `delayMs`: the kill is aimed at
 * a save by what the writer has done, not by a clock, so it lands mid-save on a busy machine too.
 */
function killWriterAt(target: string, firstVersion: number, saveNumber: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...scriptArgs('test/helpers/save-loop'), target, String(firstVersion)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', () => resolve());
    let saves = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      saves += chunk.split('saving').length - 1;
      if (saves >= saveNumber) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
  });
}

describe('atomic save', () => {
  it('replaces the content and leaves no temporary file', async () => {
    const target = join(dir, 'plain.json');
    writeFileSync(target, 'old');
    await writeFileAtomic(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir).filter((f) => f.includes('plain.json'))).toEqual(['plain.json']);
  });

  it('fails cleanly when the folder does not exist, keeping nothing half-written', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x.json'), 'data')).rejects.toThrow(/ENOENT/);
  });

  // Bounded work: writers are started and killed until MID_SAVE kills have landed mid-save (at most MAX_KILLS
  // writers, each a Node start). A busy machine lands fewer of its kills mid-save (the writer runs on while
  // the kill is delivered), so it takes more writers, not a share of a fixed number.
  it(`leaves the old or the new file, never a broken one, when the writer is killed (until ${MID_SAVE} kills land mid-save)`, async () => {
    const target = join(dir, 'graph.json');
    writeFileSync(target, versionText(0));
    const rand = seededRandom(7);
    let lastSeen = 0;
    let interrupted = 0;
    let kills = 0;
    for (let i = 0; interrupted < MID_SAVE && i < MAX_KILLS; i++, kills++) {
      const first = (i + 1) * 1_000_000;
      await killWriterAt(target, first, 1 + Math.floor(rand() * 3), Math.floor(rand() * 4));
      const text = readFileSync(target, 'utf8');
      const version = wholeVersion(text);
      expect(version, `kill ${i}: the file is not a whole version`).not.toBeNull();
      // Either a version this writer finished, or the last one a previous writer finished.
      expect(
        version === lastSeen || (version! >= first && version! < first + 1_000_000),
        `kill ${i}: version ${version}`,
      ).toBe(true);
      lastSeen = version!;
      // A temporary file left behind means the kill landed in the middle of a save.
      const temps = readdirSync(dir).filter((f) => f.startsWith('.graph.json.'));
      if (temps.length > 0) interrupted++;
      for (const t of temps) rmSync(join(dir, t));
    }
    // The kills must really land mid-save, or the test proves nothing: aimed at a save's start, 56 of 60 did
    // on an idle machine, 26 of 60 beside two busy loops on a slower day.
    expect(interrupted, `${interrupted} of ${kills} kills landed mid-save`).toBe(MID_SAVE);
  });
});
