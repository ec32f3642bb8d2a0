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
   * The Summary of the last row's names: its bytes with every float zeroed, and where each float
   * goes. A job logs the same names call after call, so a row costs a copy and its numbers.
   */
  private shape: { names: string[]; template: Buffer; offsets: number[] } | undefined;
  /** The last record length and its CRC: rows of one shape mostly have the same length. */
  private lengthCrc = { length: -1, crc: 0 };

  private buildShape(names: readonly string[]): NonNullable<EventEncoder['shape']> {
    const parts: number[] = [];
    const offsets: number[] = [];
    for (const name of names) {
      const tag = this.tagField(name);
      parts.push(0x0a); // Summary.value
      const header = Buffer.allocUnsafe(5);
      const n = writeVarint(header, 0, tag.length + 5);
      for (let b = 0; b < n; b++) parts.push(header[b]!);
      for (const byte of tag) parts.push(byte);
      parts.push(0x15); // simple_value, fixed32
      offsets.push(parts.length);
      parts.push(0, 0, 0, 0);
    }
    return { names: [...names], template: Buffer.from(parts), offsets };
  }

  /**
   * One event with every number of `values` as a `simple_value` scalar (float32), at `step` and
   * `wallTime` (seconds). Strings and booleans are left out: TensorBoard scalars are numbers.
   * Returns how many scalars were written (no event when none).
   */
  scalars(values: Readonly<Record<string, unknown>>, step: number, wallTime: number): number {
    const names = this.names;
    const numbers = this.numbers;
    let count = 0;
    let shape = this.shape;
    for (const name in values) {
      const value = values[name];
      if (typeof value !== 'number' || !Object.hasOwn(values, name) || this.skip?.has(name)) continue;
      if (shape !== undefined && shape.names[count] !== name) shape = undefined;
      names[count] = name;
      numbers[count++] = value;
    }
    if (count === 0) return 0;
    if (shape === undefined || shape.names.length !== count) {
      names.length = count;
      shape = this.shape = this.buildShape(names);
    }
    const summaryLength = shape.template.length;
    const eventLength = (wallTime === 0 ? 0 : 9) + (step === 0 ? 0 : 1 + varintLength(step)) + 1 + varintLength(summaryLength) + summaryLength;
    this.ensure(eventLength + RECORD_OVERHEAD);
    const buf = this.buf;
    const start = this.pos;
    buf.writeUInt32LE(eventLength, start);
    buf.writeUInt32LE(0, start + 4);
    if (this.lengthCrc.length !== eventLength) this.lengthCrc = { length: eventLength, crc: maskedCrc32c(buf.subarray(start, start + 8)) };
    buf.writeUInt32LE(this.lengthCrc.crc, start + 8);
    let at = start + 12;
    if (wallTime !== 0) {
      buf[at++] = 0x09; // wall_time, fixed64
      if (LITTLE_ENDIAN) {
        F64[0] = wallTime;
        for (let b = 0; b < 8; b++) buf[at++] = F64_BYTES[b]!;
      } else at = buf.writeDoubleLE(wallTime, at);
    }
    if (step !== 0) {
      buf[at++] = 0x10; // step, varint
      at = writeVarint(buf, at, step);
    }
    buf[at++] = 0x2a; // summary, length-delimited
    at = writeVarint(buf, at, summaryLength);
    buf.set(shape.template, at);
    const offsets = shape.offsets;
    for (let i = 0; i < count; i++) {
      const o = at + offsets[i]!;
      if (LITTLE_ENDIAN) {
        F32[0] = numbers[i]!;
        buf[o] = F32_BYTES[0]!;
        buf[o + 1] = F32_BYTES[1]!;
        buf[o + 2] = F32_BYTES[2]!;
        buf[o + 3] = F32_BYTES[3]!;
      } else buf.writeFloatLE(numbers[i]!, o);
    }
    at += summaryLength;
    buf.writeUInt32LE(maskedCrc32c(buf.subarray(start + 12, at)), at);
    this.pos = at + 4;
    return count;
  }

  /** The bytes encoded since the last take (a view valid until the next write). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return out;
  }
}

// Scratch views: a float's bytes without Buffer's per-call checks, where the machine is little-endian like the format.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const F32 = new Float32Array(1);
const F32_BYTES = new Uint8Array(F32.buffer);
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

function writeVarint(buf: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    buf[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[at++] = value;
  return at;
}
