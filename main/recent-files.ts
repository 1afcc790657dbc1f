import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../node-io/atomic-write';

const MAX_RECENT = 10;
const stored = z.array(z.string().min(1).max(4096)).max(MAX_RECENT);

/** The recently used graph files, newest first, kept in a small JSON file in the user's data folder. */
export class RecentFiles {
  constructor(private readonly storePath: string) {}

  async list(): Promise<string[]> {
    try {
      const parsed = stored.safeParse(JSON.parse(await readFile(this.storePath, 'utf8')));
      // A damaged list is not worth an error dialog: start a new one.
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  async add(path: string): Promise<string[]> {
    const next = [path, ...(await this.list()).filter((p) => p !== path)].slice(0, MAX_RECENT);
    await writeFileAtomic(this.storePath, JSON.stringify(next));
    return next;
  }

  async remove(path: string): Promise<void> {
    const list = await this.list();
    if (list.includes(path)) await writeFileAtomic(this.storePath, JSON.stringify(list.filter((p) => p !== path)));
  }
}
