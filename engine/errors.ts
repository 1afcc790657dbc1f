/**
 * Errors crossing the worker boundary lose their class (Comlink sends plain Errors), so each carries a
 * stable `code` that callers can switch on.
 */
export type EngineErrorCode =
  | 'SHAPE_MISMATCH'
  | 'INVALID_GRAPH'
  | 'LOSS_MISMATCH'
  | 'INVALID_DATA'
  | 'NON_FINITE'
  | 'WEBGPU_UNAVAILABLE'
  | 'WEBGPU_DEVICE_LOST'
  | 'WEBGPU_SHADER'
  | 'TOO_LARGE'
  | 'INTERNAL';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** The node the error is about, when there is one. */
    readonly nodeId?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
