/**
 * Child process for the kill-during-save test: saves ever new versions of a large document to one file
 * with writeFileAtomic, until it is killed; prints a line as each save begins.
 */
import { writeFileAtomic } from '../../node-io/atomic-write';
import { versionText } from './versioned-text';

const target = process.argv[2];
let version = Number(process.argv[3] ?? 1);
for (;;) {
  const text = versionText(version);
  // Told just before each save starts, so the test can kill the writer while a save is under way.
  process.stdout.write(`saving ${version}\n`);
  await writeFileAtomic(target, text);
  version++;
}
