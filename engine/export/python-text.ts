/**
 * Document text made safe for generated Python: identifiers from node ids, and strings and comments that
 * hold anything (quotes, newlines, `__import__('os')`, unicode) only as data, in ASCII.
 */

const KEYWORDS =
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield case match'.split(
    ' ',
  );

/** What a layer's attribute on an nn.Module, or a local of forward, must not be named. */
const MODULE_MEMBERS =
  'T_destination add_module apply bfloat16 buffers children cpu cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules named_buffers named_children named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook register_load_state_dict_post_hook register_module register_parameter requires_grad_ set_extra_state share_memory state_dict to to_empty train training type xpu zero_grad'.split(
    ' ',
  );

/** Names the generated file itself uses (modules, its own functions, forward's argument). */
const FILE_NAMES = 'torch nn F np json math os struct sys self x Net main super'.split(' ');

const RESERVED = new Set([...KEYWORDS, ...MODULE_MEMBERS, ...FILE_NAMES]);

/**
 * One Python identifier per raw name, in the order given, deterministic and distinct: other characters
 * become `_`, a leading digit or underscore gets an `n` before it, reserved words a `_` after, and names
 * that collide after that a suffix `_2`, `_3`…
 */
export function pythonIdentifiers(raw: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const name of raw) {
    let id = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (id === '' || /^[0-9_]/.test(id)) id = `n${id}`;
    while (RESERVED.has(id)) id = `${id}_`;
    let unique = id;
    for (let k = 2; taken.has(unique); k++) unique = `${id}_${k}`;
    taken.add(unique);
    out.set(name, unique);
  }
  return out;
}

/** A Python string literal of any text, in ASCII: every other character as an escape. */
export function pythonString(text: string): string {
  let out = "'";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c <= 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}'`;
}

/** A comment's text: the name as a string literal, so that nothing in it can end the comment's line. */
export const commentText = (text: string): string => pythonString(text);

/**
 * A file name's stem that every file system and Python accept: each run of other characters becomes one `_`
 * ("AlexNet (small)" → "AlexNet_small"), none at either end (no hidden ".name", no ".."), at most 64.
 */
export const fileStem = (text: string): string =>
  text
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .slice(0, 64)
    .replace(/^[_.-]+|[_.-]+$/g, '') || 'network';
