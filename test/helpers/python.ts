import { inject } from 'vitest';

/**
 * The `python3` the tests run (Debian's, with torch): through the run's Python server where it is up
 * (test/setup/python-zygote.ts), which saves each program importing torch again.
 */
export function pythonExecutable(): string {
  return inject('python') ?? '/usr/bin/python3';
}
