import { type ParseArgsConfig, parseArgs } from 'node:util';
import { EngineError } from '../engine/errors';
import { TextRefused } from '../engine/files/decode-text';
import { FileRefused } from '../node-io/read-file-bounded';
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

/**
 * A whole-number option from `least` to `most` (undefined when not given); anything else ends the tool
 * (exit 2). Digits only: `Number()` alone would take "1e3", " 5" and "0x10".
 */
export function wholeNumber(text: string | undefined, option: string, least: number, most: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < least || n > most)
    exitWith(2, `${option} must be a whole number from ${least} to ${most}, got "${text}"`);
  return n;
}

/**
 * Runs a tool's `main`: an error it throws ends the tool with its message, exit 2 when the input was
 * refused (a bad graph, file or text), 1 otherwise.
 */
export function runTool(main: () => Promise<void>): void {
  main().catch((e: Error) =>
    exitWith(
      e instanceof EngineError || e instanceof FileRefused || e instanceof TextRefused ? 2 : 1,
      `error: ${e.message}`,
    ),
  );
}
