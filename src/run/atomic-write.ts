import { close, closeSync, fsync, fsyncSync, open, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TrellisError } from '../errors/index.js';

/**
 * How a write reaches the disk: `false` leaves it to the OS; `true` fsyncs the file and its
 * directory before returning, which survives a power loss but costs about a millisecond per
 * file; `'background'` renames at once (readers see the new file) and fsyncs both on libuv's
 * thread pool, so the caller goes on (the process does not exit before it is done).
 */
export type Durability = boolean | 'background';

/** Temp names: pid + counter are unique among writers without drawing random bytes per file. */
let tempCounter = 0;

/**
 * Writes `text` to `path` so a reader sees the old file or the new one, never half of one:
 * a temp file in the same directory (rename is atomic only within a file system) is written and
 * renamed over `path`. Records written many times are made durable only in their final state.
 * Synchronous on purpose: the final `run.json` is written from exit and signal handlers, where
 * asynchronous I/O may never complete (they use `durable: true`).
 */
export function writeFileAtomic(path: string, text: string, options: { durable?: Durability } = {}): void {
  const dir = dirname(path);
  if (!swept.has(path)) {
    swept.add(path);
    removeStaleTemps(dir, basename(path));
  }
  const temp = join(dir, `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
  try {
    const fd = openSync(temp, 'wx');
    try {
      writeSync(fd, text);
      if (options.durable === true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new TrellisError('RUN_IO', `Cannot write ${path} (${code})`, { cause: e });
  }
  if (options.durable === true) syncDir(dir);
  else if (options.durable === 'background') syncInBackground(path, () => syncInBackground(dir, () => undefined));
}

/** Records whose leftover temp files this process has looked for (once per record is enough). */
const swept = new Set<string>();

/** A write takes milliseconds: a temp file this old was left by a writer that was killed. */
const STALE_TEMP_MS = 60_000;

/**
 * Removes the temp files a killed writer (`kill -9` between write and rename) left next to
 * `name`. Readers already ignore them; the next writer of the record cleans up. Best effort.
 */
function removeStaleTemps(dir: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // no directory yet: the write itself will say so
  }
  const prefix = `.${name}.`;
  const now = Date.now();
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    try {
      const temp = join(dir, entry);
      if (now - statSync(temp).mtimeMs > STALE_TEMP_MS) rmSync(temp, { force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/**
 * Writes `value` as pretty JSON with a trailing newline, atomically. JSON has no bigint, NaN or
 * Infinity: a bigint becomes a number when it is a safe integer and a decimal string otherwise
 * (so no digit is lost), and non-finite numbers become "NaN", "Infinity", "-Infinity", as in
 * `metrics.jsonl` (JSON.stringify would silently write null).
 */
export function writeJsonAtomic(path: string, value: unknown, options: { durable?: Durability } = {}): void {
  writeFileAtomic(path, `${JSON.stringify(value, jsonSafe, 2)}\n`, options);
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/** Makes the rename itself durable; directories cannot be opened for fsync on Windows. */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Durability of the directory entry is best effort; the file content is already synced.
  }
}

/** fsync of `path` on the thread pool, best effort: no one is left to tell of a failure. */
function syncInBackground(path: string, then: () => void): void {
  open(path, 'r', (openError, fd) => {
    if (openError) return then();
    fsync(fd, () => close(fd, () => then()));
  });
}
