import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { TrellisError } from '../errors/index.js';

/** One line of `inputs.json`: a declared data input and the fingerprint of its bytes. */
export interface InputRecord {
  /** As declared by the job (relative paths stay relative, so the record reads the same on any machine). */
  path: string;
  size: number;
  sha256: string;
}

/**
 * Hashes a file by streaming it, so a 100 GB data set needs no more memory than a small one.
 * The size is counted from the bytes hashed, so size and hash always describe the same content.
 */
export async function hashInput(path: string, cwd?: string): Promise<InputRecord> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(cwd === undefined ? path : resolve(cwd, path), { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new TrellisError('RUN_IO', `Cannot read input ${path} (${code})`, {
      cause: e,
      hint: code === 'EISDIR' ? 'declare the files inside the directory, one by one' : undefined,
    });
  }
  return { path, size, sha256: hash.digest('hex') };
}

/** The inputs a run declared, in the order declared; declaring a path again re-hashes it. */
export class InputBook {
  private readonly order: string[] = [];
  private readonly records = new Map<string, InputRecord>();

  /** `cwd` resolves relative paths; the record keeps the path as given. */
  constructor(private readonly cwd?: string) {}

  async add(path: string): Promise<InputRecord> {
    if (!this.order.includes(path)) this.order.push(path);
    const record = await hashInput(path, this.cwd);
    this.records.set(path, record);
    return record;
  }

  toJSON(): InputRecord[] {
    return this.order.flatMap((path) => this.records.get(path) ?? []);
  }
}
