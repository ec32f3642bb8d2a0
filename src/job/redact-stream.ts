import { Transform } from 'node:stream';

const NL = 0x0a;
const MASK = Buffer.from('***');

/**
 * A byte stream with every occurrence of the given values replaced by `***`, also when one is
 * split across chunks: the end of each chunk that may begin a value is held until the next one
 * (or the end) shows whether it does. Lines are passed on whole as soon as they are complete, so
 * output stays live. Bytes are never re-decoded: `\r` progress bars and binary output pass as they are.
 */
export function redactingStream(values: readonly string[]): Transform {
  const needles = [...new Set(values)].filter((v) => v !== '').map((v) => Buffer.from(v, 'utf8'));
  const keep = Math.max(0, ...needles.map((n) => n.length - 1));
  // A value without a newline cannot span one: everything up to the last newline is safe to pass on.
  const lineSafe = needles.every((n) => !n.includes(NL));
  let carry = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      let cut = Math.max(0, data.length - keep);
      if (lineSafe) cut = Math.max(cut, data.lastIndexOf(NL) + 1);
      // A whole value that reaches past the cut moves it back, so it is replaced in one piece.
      for (let moved = true; moved;) {
        moved = false;
        for (const needle of needles) {
          const at = data.indexOf(needle, Math.max(0, cut - needle.length + 1));
          if (at !== -1 && at < cut && at + needle.length > cut) {
            cut = at;
            moved = true;
          }
        }
      }
      carry = Buffer.from(data.subarray(cut));
      done(null, replaceAll(data.subarray(0, cut), needles));
    },
    flush(done) {
      done(null, replaceAll(carry, needles));
    },
  });
}

/** `data` with each occurrence of a needle (longest first where they overlap) replaced by `***`. */
function replaceAll(data: Buffer, needles: readonly Buffer[]): Buffer {
  if (data.length === 0) return data;
  const parts: Buffer[] = [];
  let from = 0;
  for (;;) {
    let best = -1;
    let length = 0;
    for (const needle of needles) {
      const at = data.indexOf(needle, from);
      if (at !== -1 && (best === -1 || at < best || (at === best && needle.length > length))) {
        best = at;
        length = needle.length;
      }
    }
    if (best === -1) break;
    parts.push(data.subarray(from, best), MASK);
    from = best + length;
  }
  if (parts.length === 0) return data;
  parts.push(data.subarray(from));
  return Buffer.concat(parts);
}
