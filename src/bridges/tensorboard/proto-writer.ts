/**
 * A protobuf wire-format writer for the few messages trellis writes (Event, Summary, the HParams
 * plugin data): fields are written in field-number order and proto3 defaults are left out, as
 * the Python protobuf library does, so our bytes match tensorboardX's.
 */
export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A varint: non-negative safe integers, or a negative int32/int64 as two's complement (10 bytes). */
  varint(value: number): this {
    this.ensure(10);
    if (value < 0) {
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
      return this;
    }
    while (value >= 0x80) {
      this.buf[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.pos++] = value;
    return this;
  }

  private key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  /** An int32/int64/enum/bool field; 0 is the default and is not written, unless `always` (a oneof member). */
  int(field: number, value: number, always = false): this {
    return value === 0 && !always ? this : this.key(field, 0).varint(value);
  }

  /** A double field; 0 is not written (-0 is, as Python's protobuf does), unless `always` (a oneof member). */
  double(field: number, value: number, always = false): this {
    if (value === 0 && !Object.is(value, -0) && !always) return this;
    this.key(field, 1).ensure(8);
    this.pos = this.buf.writeDoubleLE(value, this.pos);
    return this;
  }

  /** A float field: the value rounded to 32 bits; a member of a oneof is written even when 0 (`always`). */
  float(field: number, value: number, always = false): this {
    if (value === 0 && !Object.is(value, -0) && !always) return this;
    this.key(field, 5).ensure(4);
    this.pos = this.buf.writeFloatLE(value, this.pos);
    return this;
  }

  /** A bytes or embedded-message field; empty ones are written only when `always`. */
  bytes(field: number, value: Uint8Array, always = false): this {
    if (value.length === 0 && !always) return this;
    this.key(field, 2).varint(value.length).ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  /** An embedded message, built by `build` (written even when empty: presence matters for messages). */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter(64);
    build(inner);
    return this.bytes(field, inner.finish(), true);
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, 0, this.pos);
  }
}
