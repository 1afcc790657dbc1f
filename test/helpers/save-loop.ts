/**
 * Child process for the kill-during-save test: saves ever new versions of a large document to one file
 * with writeFileAtomic, until it is killed.
 */
import { writeFileAtomic } from '../../main/atomic-write';
import { versionText } from './versioned-text';

const target = process.argv[2];
let version = Number(process.argv[3] ?? 1);
process.stdout.write('ready\n');
for (;;) {
  await writeFileAtomic(target, versionText(version));
  version++;
}
