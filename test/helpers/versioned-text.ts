import { createHash } from 'node:crypto';

const padding = 'x'.repeat(4 * 1024 * 1024);

/** A large file body that carries its version number and its own checksum on the first line. */
export function versionText(version: number): string {
  const body = JSON.stringify({ version, padding });
  return `${createHash('sha256').update(body).digest('hex')}\n${body}`;
}

/** The version of a whole file, or null when the checksum does not match (a torn write). */
export function wholeVersion(text: string): number | null {
  const newline = text.indexOf('\n');
  const body = text.slice(newline + 1);
  if (createHash('sha256').update(body).digest('hex') !== text.slice(0, newline)) return null;
  return (JSON.parse(body) as { version: number }).version;
}
