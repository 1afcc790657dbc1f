/**
 * Whether a keyboard or clipboard event belongs to a field the user is typing in: there the canvas's
 * shortcuts (undo, redo, copy, paste, group) leave the keys to the field, which edits its own text.
 */
export const isEditable = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
