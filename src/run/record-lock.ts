import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { TrellisError } from '../errors/index.js';
import { writerMayBeAlive } from '../records/process-alive.js';

/**
 * A lock on one record file (run.json, sweep.json), for a read-modify-write that must not lose
 * another process's change: `${path}.lock`, created with O_EXCL, holding who took it. Records
 * are still written atomically (temp file + rename); the lock only orders the writers.
 */
export interface RecordLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file if it is still this holder's; releasing twice is harmless. */
  release(): void;
}

export interface RecordLockOptions {
  /** How long to wait for another holder, in ms (default 5000); then RUN_LOCKED. */
  timeoutMs?: number;
}

/** What a lock file holds. */
interface Holder {
  pid: number;
  host: string;
  since: string;
  /** Tells this holder's file from a later one of the same pid. */
  token: string;
}

const DEFAULT_TIMEOUT_MS = 5000;
/** Waits between tries grow from the first to the last, so a short hold costs a short wait. */
const FIRST_WAIT_MS = 2;
const LAST_WAIT_MS = 64;
/** A lock file still unreadable after this long was left by a process that died creating it. */
const UNREADABLE_STALE_MS = 1000;

/**
 * Takes the lock on `path`, waiting (blocking, with backoff) while another process holds it,
 * up to `timeoutMs`. Not re-entrant: a process waits for a lock it holds itself. A lock left by a process that died is taken over when the holder ran on
 * this host (`process.kill(pid, 0)` says ESRCH); one of another host is waited for. Throws
 * RUN_LOCKED when the wait runs out, RUN_IO when the lock file cannot be made.
 */
export function acquireRecordLock(path: string, options: RecordLockOptions = {}): RecordLock {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const own = holderText();
  for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LAST_WAIT_MS)) {
    if (tryCreate(lockPath, own)) return heldLock(lockPath, own);
    const seen = readHolder(lockPath);
    if (seen && isStale(lockPath, seen.holder) && breakStale(lockPath, seen.text)) continue;
    if (Date.now() >= deadline) throw lockedError(lockPath, seen?.holder);
    // Jitter, so processes that collided do not collide again.
    sleep(wait / 2 + Math.random() * wait);
  }
}

/**
 * Runs `fn` holding the lock on `path` (see acquireRecordLock). When `fn` returns a promise,
 * the lock is held until it settles; the wait for the lock itself blocks, so keep holds short.
 */
export function withRecordLock<T>(path: string, fn: () => T, options: RecordLockOptions = {}): T {
  const lock = acquireRecordLock(path, options);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    lock.release();
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => lock.release()) as T;
  lock.release();
  return result;
}

function holderText(): string {
  const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  return `${JSON.stringify(holder)}\n`;
}

/** Creates the lock file with `text` (O_EXCL); false when it exists. */
function tryCreate(lockPath: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(e, lockPath);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function heldLock(lockPath: string, own: string): RecordLock {
  let held = true;
  return {
    path: lockPath,
    release() {
      if (!held) return;
      held = false;
      // A holder judged dead had its lock taken over: the file is another's now.
      if (readText(lockPath) === own) unlinkQuietly(lockPath);
    },
  };
}

const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** The lock file's text and holder; the holder is undefined while it cannot be parsed. */
function readHolder(lockPath: string): { text: string; holder: Holder | undefined } | undefined {
  const text = readText(lockPath);
  if (text === undefined) return undefined;
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    const valid = Number.isSafeInteger(h.pid) && typeof h.host === 'string' && typeof h.since === 'string' && typeof h.token === 'string';
    return { text, holder: valid ? (h as Holder) : undefined };
  } catch {
    return { text, holder: undefined };
  }
}

/** Held by a process of this host that is gone; or unreadable for longer than a creation takes. */
function isStale(lockPath: string, holder: Holder | undefined): boolean {
  if (!holder) {
    const age = Date.now() - (statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    return age > UNREADABLE_STALE_MS;
  }
  return !writerMayBeAlive(holder);
}

/**
 * Removes a stale lock if it is still the one judged stale; true when it did. Two processes could both judge it
 * and the slower remove the lock the faster then took; so removing is itself done under a
 * guard file (O_EXCL). A guard left by a process that died (it is held for microseconds) is
 * removed the same way a stale lock is, without a guard of its own: that race needs a breaker
 * to die holding it and two more to meet it at once.
 */
function breakStale(lockPath: string, staleText: string): boolean {
  const guardPath = `${lockPath}.break`;
  if (!tryCreate(guardPath, holderText())) {
    const seen = readHolder(guardPath);
    return seen !== undefined && isStale(guardPath, seen.holder) && unlinkQuietly(guardPath);
  }
  try {
    return readText(lockPath) === staleText && unlinkQuietly(lockPath);
  } finally {
    unlinkQuietly(guardPath);
  }
}

/** False when the file could not be removed (gone already is fine: true). */
function unlinkQuietly(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Blocks the thread: the lock is taken from synchronous code (CLI commands, exit handlers). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockedError(lockPath: string, holder: Holder | undefined): TrellisError {
  const who = holder ? `process ${holder.pid} on ${holder.host} (since ${holder.since})` : 'another process';
  return new TrellisError('RUN_LOCKED', `${lockPath} is held by ${who}`, {
    hint: holder && holder.host !== hostname() ? `try again when it is done; if that process is gone, delete ${lockPath}` : 'try again when it is done',
  });
}

function ioError(cause: unknown, lockPath: string): TrellisError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'error';
  return new TrellisError('RUN_IO', `Cannot create lock file ${lockPath} (${code})`, { cause });
}
