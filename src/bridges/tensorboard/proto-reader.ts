import { TrellisError } from '../../errors/index.js';

/** One field as read: varints and fixed-width numbers as numbers, length-delimited ones as bytes. */
export type ProtoField =
  | { field: number; wire: 0; value: number }
  | { field: number; wire: 1; value: number; view: DataView; at: number }
  | { field: number; wire: 2; value: Uint8Array }
  | { field: number; wire: 5; value: number; view: DataView; at: number };

function malformed(what: string): TrellisError {
  return new TrellisError('RUN_RECORD_INVALID', `Malformed protobuf message: ${what}`, {
    hint: 'the event file is damaged or was not written by a TensorBoard writer',
  });
}

/**
 * The fields of one protobuf message, in order. Varints above 2^53 lose precision (steps and
 * times never get there); groups (wire types 3 and 4) are rejected, as no TensorBoard message uses them.
 */
export function* protoFields(bytes: Uint8Array): Generator<ProtoField> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw malformed('a varint runs past the end');
      const b = bytes[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw malformed('a varint is longer than 10 bytes');
  };
  while (pos < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw malformed('field number 0');
    switch (wire) {
      case 0:
        yield { field, wire, value: varint() };
        break;
      case 1:
        if (pos + 8 > bytes.length) throw malformed(`field ${field} runs past the end`);
        yield { field, wire, value: view.getFloat64(pos, true), view, at: pos };
        pos += 8;
        break;
      case 2: {
        const length = varint();
        if (pos + length > bytes.length) throw malformed(`field ${field} runs past the end`);
        yield { field, wire, value: bytes.subarray(pos, pos + length) };
        pos += length;
        break;
      }
      case 5:
        if (pos + 4 > bytes.length) throw malformed(`field ${field} runs past the end`);
        yield { field, wire, value: view.getFloat32(pos, true), view, at: pos };
        pos += 4;
        break;
      default:
        throw malformed(`wire type ${wire} of field ${field}`);
    }
  }
}

const decoder = new TextDecoder('utf-8');

export function utf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
