import protobuf from 'protobufjs/minimal.js';
import { EngineError } from '../errors';
import { LIMITS } from '../graph/limits';

/**
 * What decoding a model may cost, counted as protobuf's decoder reads it, before the memory is taken. The
 * decoder makes objects for what a file declares in a few bytes each: an empty node is two bytes and some
 * hundred bytes of objects (8 MB of them took 660 MB), a packed 64-bit integer is one byte and an object.
 * The counts of nodes and initializers are checked only after decoding, so the reading itself is bounded.
 */
export const DECODE_LIMITS = {
  /**
   * Values read other than packed floats: tags, lengths, integers, names, messages. A model within the
   * limits on nodes (20,000) and initializers (100,000) reads a few million.
   */
  reads: 4_000_000,
  /** Packed float and double values (a tensor's float_data): the parameters' limit. */
  floats: LIMITS.parameterBytes / 4,
  /** Bytes of text (names, documentation, metadata). */
  textBytes: 64 * 1024 * 1024,
};

/**
 * protobuf's reader, counting what it reads against DECODE_LIMITS: the generated decoders take any
 * reader of its class, so the whole model is read through this one. Bytes fields are views of the file
 * (no copy); each read of anything else is counted, strings by their length too.
 */
export class BoundedReader extends protobuf.Reader {
  private reads = 0;
  private floats = 0;
  private text = 0;

  constructor(
    bytes: Uint8Array,
    private readonly file: string,
  ) {
    super(bytes);
  }

  /** One value read (see COUNTED); refused past the limit. */
  countRead(): void {
    if (++this.reads > DECODE_LIMITS.reads) this.over(`more than ${DECODE_LIMITS.reads} values`);
  }

  private over(what: string): never {
    throw new EngineError('TOO_LARGE', `${this.file}: the model declares ${what}, over what a model may hold`);
  }

  override float(): number {
    this.countFloat();
    return super.float();
  }
  override double(): number {
    this.countFloat();
    return super.double();
  }
  private countFloat(): void {
    if (++this.floats > DECODE_LIMITS.floats) this.over(`more than ${DECODE_LIMITS.floats} float values`);
  }
  override string(): string {
    // Its length first (read, then read again by the string itself), so a long one is refused unmade.
    const start = this.pos;
    this.text += super.uint32();
    this.pos = start;
    if (this.text > DECODE_LIMITS.textBytes) this.over(`more than ${DECODE_LIMITS.textBytes} bytes of text`);
    return super.string();
  }
}

/**
 * The reader's methods that make one value each (a tag, a length, an integer, a boolean): each counted, then
 * protobuf's own read, looked up at the call (protobuf sets its 64-bit readers when it is configured).
 */
const COUNTED = [
  'uint32',
  'int32',
  'sint32',
  'int64',
  'uint64',
  'sint64',
  'fixed64',
  'sfixed64',
  'bool',
  'fixed32',
  'sfixed32',
] as const;
for (const method of COUNTED)
  Object.defineProperty(BoundedReader.prototype, method, {
    value(this: BoundedReader) {
      this.countRead();
      return (protobuf.Reader.prototype[method] as (this: protobuf.Reader) => unknown).call(this);
    },
  });
