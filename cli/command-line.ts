import { type ParseArgsConfig, parseArgs } from 'node:util';
import { terminalSafe } from './terminal-text';

/** Ends the tool with `message` on standard error (made safe for the terminal) and the exit code. */
export function exitWith(code: number, message: string): never {
  process.stderr.write(`${terminalSafe(message)}\n`);
  process.exit(code);
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A tool's arguments: its options and the words around them. `--help` (or `-h`) prints the usage and ends
 * the tool; an option it does not know, or one without its value, ends it with the usage (exit 2), as a
 * wrong argument does, rather than with Node's error.
 */
export function toolArguments<const O extends Options>(usage: string, options: O) {
  const config = { allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    exitWith(2, `${(error as Error).message.split('. ')[0]}.\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed;
}
