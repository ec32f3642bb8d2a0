import { TrellisError } from '../../errors/index.js';
import { maskedCrc32c } from './masked-crc.js';

/**
 * TFRecord framing, as TensorFlow's RecordWriter writes each event:
 *   uint64 length (little-endian) · uint32 masked_crc32c(length bytes) · data · uint32 masked_crc32c(data)
 */
export const RECORD_OVERHEAD = 16;

/** Writes one framed record of `data` into `out` at `at`; returns the offset after it. */
export function frameRecordInto(out: Buffer, at: number, data: Uint8Array): number {
  out.writeUInt32LE(data.length >>> 0, at);
  out.writeUInt32LE(Math.floor(data.length / 0x1_0000_0000), at + 4);
  out.writeUInt32LE(maskedCrc32c(out.subarray(at, at + 8)), at + 8);
  out.set(data, at + 12);
  const end = at + 12 + data.length;
  out.writeUInt32LE(maskedCrc32c(data), end);
  return end + 4;
}

export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + RECORD_OVERHEAD);
  frameRecordInto(out, 0, data);
  return out;
}

export interface RecordsRead {
  records: Uint8Array[];
  /** Bytes at the end that do not make a whole record yet: a writer still writing (TensorBoard waits for them too). */
  partialTail: number;
}

/**
 * Splits a file's bytes into records. A CRC that does not match is an error naming the record
 * and its byte offset: the file is damaged, and nothing after that point can be trusted.
 */
export function readRecords(bytes: Uint8Array, file = 'event file'): RecordsRead {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos + 12 <= buf.length) {
    const length = buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 0x1_0000_0000;
    const lengthCrc = buf.readUInt32LE(pos + 8);
    if (maskedCrc32c(buf.subarray(pos, pos + 8)) !== lengthCrc) throw corrupt(file, records.length, pos, 'length');
    if (pos + 12 + length + 4 > buf.length) break;
    const data = buf.subarray(pos + 12, pos + 12 + length);
    if (maskedCrc32c(data) !== buf.readUInt32LE(pos + 12 + length)) throw corrupt(file, records.length, pos, 'data');
    records.push(data);
    pos += 12 + length + 4;
  }
  return { records, partialTail: buf.length - pos };
}

function corrupt(file: string, index: number, offset: number, part: string): TrellisError {
  return new TrellisError('RUN_RECORD_INVALID', `${file}: record ${index} at byte ${offset} fails its ${part} CRC32C check`, {
    hint: 'the file was damaged after it was written; re-export it from the run (trellis export tensorboard)',
  });
}
