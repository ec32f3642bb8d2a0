import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { RECORDS_DIR } from '../records/names.js';

/** How many `_N` suffixes are tried before giving up (a fixed `run.dir` reused this often is a bug). */
const MAX_SUFFIX = 10_000;

/**
 * Creates a fresh run directory and its `.trellis/` records folder; returns the absolute path.
 *
 * Two runs never share a directory: when `dir` exists (two runs in the same second, or a fixed
 * `run.dir`), `<dir>_1`, `<dir>_2`, … are tried. The leaf is made without `recursive`, so the
 * EEXIST from `mkdir` is the lock: of two processes racing for one name exactly one wins.
 */
export function createRunDir(dir: string): string {
  const base = resolve(dir);
  if (dirname(base) === base) {
    throw new TrellisError('RUN_IO', `Cannot use the file system root ${base} as a run directory`, {
      hint: 'set trellis.run.dir to a directory below the root',
    });
  }
  tryMkdir(() => mkdirSync(dirname(base), { recursive: true }), dirname(base));
  for (let n = 0; n <= MAX_SUFFIX; n++) {
    const candidate = n === 0 ? base : `${base}_${n}`;
    if (claim(candidate)) {
      tryMkdir(() => mkdirSync(join(candidate, RECORDS_DIR)), join(candidate, RECORDS_DIR));
      return candidate;
    }
  }
  throw new TrellisError('RUN_DIR_EXISTS', `Run directory ${base} and ${MAX_SUFFIX} suffixed variants already exist`, {
    hint: 'use a run.dir that includes the time, e.g. outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}',
  });
}

/** True when this call created `path`; false when it already existed. */
function claim(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(e, path);
  }
}

function tryMkdir(make: () => void, path: string): void {
  try {
    make();
  } catch (e) {
    throw ioError(e, path);
  }
}

function ioError(cause: unknown, path: string): TrellisError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'error';
  return new TrellisError('RUN_IO', `Cannot create run directory ${path} (${code})`, { cause });
}
