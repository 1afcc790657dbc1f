import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An executable that runs `python3 <args>` with torch imported already (test/helpers/python-zygote.py). */
    python: string;
  }
}

const helpers = join(import.meta.dirname, '../helpers');

/**
 * Starts the run's Python server (torch imported once, a fork per program) and provides a `python3` that
 * goes through it. Nothing waits for the server: until it listens, the client runs Python itself.
 */
export default function startPythonServer(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'netloom-python-'));
  const socket = join(dir, 'server.sock');
  const server = spawn('/usr/bin/python3', [join(helpers, 'python-zygote.py'), socket], { stdio: 'ignore' });
  server.on('error', () => {}); // no Python: the client's fallback reports it where Python is used
  const python = join(dir, 'python3');
  writeFileSync(
    python,
    `#!/bin/sh\nexec /usr/bin/python3 -S -E '${join(helpers, 'python-client.py')}' '${socket}' "$@"\n`,
  );
  chmodSync(python, 0o755);
  project.provide('python', python);
  return () => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  };
}
