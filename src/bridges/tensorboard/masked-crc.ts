import CRC32C from 'crc-32/crc32c.js';

/** TensorFlow's mask (tensorflow/core/lib/hash/crc32c.h): a CRC stored next to data that holds CRCs stays checkable. */
const MASK_DELTA = 0xa282ead8;

/** The masked CRC32C of `bytes`, as TFRecord framing stores it (unsigned). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}
