import { encodeEvent, FILE_VERSION, type TbEvent } from './event.js';
import { frameRecordInto, RECORD_OVERHEAD } from './record-framing.js';
import { maskedCrc32c } from './masked-crc.js';

const varintLength = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x20_0000 ? 3 : n < 0x1000_0000 ? 4 : Math.ceil(Math.log2(n + 1) / 7));

/** Encoded tags are cached; a job logging ever-new names must not grow the cache forever. */
const MAX_CACHED_TAGS = 10_000;

/**
 * Builds the bytes of an event file in memory: framed records, ready to append. Pure (no I/O);
 * the sink appends what `take()` returns to a file, the export writes it whole.
 *
 * `scalars()` is the hot path: one Event per logged row, all of its numbers as Summary values
 * (TensorFlow's merged summaries do the same), encoded straight into the output buffer with the
 * record's CRCs, so a row costs one pass over its bytes and no intermediate objects.
 */
export class EventEncoder {
  private buf: Buffer;
  private pos = 0;
  private readonly tags = new Map<string, Buffer>();
  private readonly names: string[] = [];
  private readonly numbers: number[] = [];

  private readonly skip: ReadonlySet<string> | undefined;

  /** `skip`: names never written as scalars (a metrics row's own `step` and `time`). */
  constructor(options: { initialBytes?: number; skip?: readonly string[] } = {}) {
    this.buf = Buffer.allocUnsafe(options.initialBytes ?? 64 * 1024);
    this.skip = options.skip?.length ? new Set(options.skip) : undefined;
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The first record of every event file. */
  fileVersion(wallTime: number): this {
    return this.event({ wallTime, step: 0, fileVersion: FILE_VERSION });
  }

  event(event: TbEvent): this {
    const data = encodeEvent(event);
    this.ensure(data.length + RECORD_OVERHEAD);
    this.pos = frameRecordInto(this.buf, this.pos, data);
    return this;
  }

  /** The `Summary.Value` tag field (field 1) of a name, encoded. */
  private tagField(name: string): Buffer {
    let field = this.tags.get(name);
    if (field === undefined) {
      const text = Buffer.from(name, 'utf8');
      field = Buffer.allocUnsafe(1 + varintLength(text.length) + text.length);
      let at = 0;
      field[at++] = 0x0a;
      at = writeVarint(field, at, text.length);
      text.copy(field, at);
      if (this.tags.size < MAX_CACHED_TAGS) this.tags.set(name, field);
    }
    return field;
  }

  /**
   * One event with every number of `values` as a `simple_value` scalar (float32), at `step` and
   * `wallTime` (seconds). Strings and booleans are left out: TensorBoard scalars are numbers.
   * Returns how many scalars were written (no event when none).
   */
  scalars(values: Readonly<Record<string, unknown>>, step: number, wallTime: number): number {
    const names = this.names;
    const numbers = this.numbers;
    names.length = 0;
    numbers.length = 0;
    let summaryLength = 0;
    for (const name in values) {
      const value = values[name];
      if (typeof value !== 'number' || !Object.hasOwn(values, name) || this.skip?.has(name)) continue;
      names.push(name);
      numbers.push(value);
      const valueLength = this.tagField(name).length + 5;
      summaryLength += 1 + varintLength(valueLength) + valueLength;
    }
    if (names.length === 0) return 0;
    const eventLength = (wallTime === 0 ? 0 : 9) + (step === 0 ? 0 : 1 + varintLength(step)) + 1 + varintLength(summaryLength) + summaryLength;
    this.ensure(eventLength + RECORD_OVERHEAD);
    const buf = this.buf;
    const start = this.pos;
    buf.writeUInt32LE(eventLength, start);
    buf.writeUInt32LE(0, start + 4);
    buf.writeUInt32LE(maskedCrc32c(buf.subarray(start, start + 8)), start + 8);
    let at = start + 12;
    if (wallTime !== 0) {
      buf[at++] = 0x09; // wall_time, fixed64
      at = buf.writeDoubleLE(wallTime, at);
    }
    if (step !== 0) {
      buf[at++] = 0x10; // step, varint
      at = writeVarint(buf, at, step);
    }
    buf[at++] = 0x2a; // summary, length-delimited
    at = writeVarint(buf, at, summaryLength);
    for (let i = 0; i < names.length; i++) {
      const tag = this.tagField(names[i]!);
      buf[at++] = 0x0a; // Summary.value
      at = writeVarint(buf, at, tag.length + 5);
      at += tag.copy(buf, at);
      buf[at++] = 0x15; // simple_value, fixed32
      at = buf.writeFloatLE(numbers[i]!, at);
    }
    buf.writeUInt32LE(maskedCrc32c(buf.subarray(start + 12, at)), at);
    this.pos = at + 4;
    return names.length;
  }

  /** The bytes encoded since the last take (a view valid until the next write). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return out;
  }
}

function writeVarint(buf: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    buf[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[at++] = value;
  return at;
}
