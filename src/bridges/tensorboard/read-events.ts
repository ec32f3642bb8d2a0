import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrellisError } from '../../errors/index.js';
import { decodeEvent, type TbEvent } from './event.js';
import { readRecords } from './record-framing.js';

export interface EventFileRead {
  events: TbEvent[];
  /** Bytes of a record not written whole yet (a writer still at work). */
  partialTail: number;
}

/** Decodes an event file's bytes; throws RUN_RECORD_INVALID on a CRC mismatch or a malformed event. */
export function decodeEventFile(bytes: Uint8Array, name = 'event file'): EventFileRead {
  const { records, partialTail } = readRecords(bytes, name);
  return { events: records.map((r) => decodeEvent(r)), partialTail };
}

export function readEventFile(path: string): EventFileRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new TrellisError('RUN_IO', `Cannot read event file ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
  return decodeEventFile(bytes, path);
}

/** TensorBoard reads every file whose name contains "tfevents"; in name order, as it does. */
export function eventFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.includes('tfevents'))
    .sort()
    .map((n) => join(dir, n));
}
