/**
 * Text for the terminal from strings a document or a data file chose (names, values quoted in errors).
 * Control characters are shown as escapes instead of acting on the terminal (ESC sequences can retitle the
 * window or clear the screen; a bare CR overwrites the line), and any one quoted value is cut to a sensible
 * length so a 50 MB cell is not echoed whole. Newlines and tabs between lines of a message stay as they are.
 */
const MAX_QUOTED = 120;

/** C0 controls but tab and newline, DEL, C1 controls, line and paragraph separators, and the bidi overrides that reorder what is shown. */
function isControl(code: number): boolean {
  if (code === 0x09 || code === 0x0a) return false;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

export function terminalSafe(text: string): string {
  let escaped = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    escaped += isControl(code) ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
  }
  return escaped.replace(/"([^"\n]*)"/g, (whole, inner: string) =>
    inner.length > MAX_QUOTED ? `"${inner.slice(0, MAX_QUOTED)}…" (${inner.length} characters)` : whole,
  );
}
