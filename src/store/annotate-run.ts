import { readFileSync } from 'node:fs';
import { RUN_FILES, recordPath } from '../records/names.js';
import { TrellisError } from '../errors/index.js';
import { writeJsonAtomic } from '../run/atomic-write.js';
import { withRecordLock } from '../run/record-lock.js';
import { markRunChanged } from './index-cache.js';
import { stringsOf } from './stored-run.js';
import { checkArgs } from '../errors/check-args.js';

/** run.json after a tag or note, and what the caller may want to warn about. */
export interface AnnotateResult {
  tags: string[];
  notes: string[];
  /**
   * run.json says the run is still running: it rewrites run.json when it ends, from what it
   * holds in memory, so the change may be lost then.
   */
  running: boolean;
  /**
   * False when the run's parent directory could not be changed (markRunChanged), so an index
   * may show the run as it was until a listing with `--refresh`.
   */
  indexNotified: boolean;
}

/** Adds `tags` to the run in `dir` (each once, in order), or with `remove` takes them off. */
export function tagRun(dir: string, tags: readonly string[], options: { remove?: boolean } = {}): AnnotateResult {
  checkArgs('tagRun', [
    ['dir', dir, 'string'],
    ['tags', tags, 'strings'],
    ['options', options, 'object', { remove: 'boolean?' }],
  ]);
  return updateRunJson(dir, (record) => {
    const current = stringsOf(record.tags);
    const added = tags.filter((t, i) => !current.includes(t) && tags.indexOf(t) === i);
    record.tags = options.remove ? current.filter((t) => !tags.includes(t)) : [...current, ...added];
  });
}

/** Appends a note to the run in `dir`. */
export function noteRun(dir: string, text: string): AnnotateResult {
  checkArgs('noteRun', [
    ['dir', dir, 'string'],
    ['text', text, 'string'],
  ]);
  return updateRunJson(dir, (record) => {
    record.notes = [...(Array.isArray(record.notes) ? record.notes : []), text];
  });
}

/**
 * Rewrites run.json with one change. run.json stays the source of truth: the change is made
 * under its lock, so concurrent tags and notes from other processes are kept, and written
 * atomically; then the indexes that take the finished run on trust are told to look again.
 */
function updateRunJson(dir: string, change: (record: Record<string, unknown>) => void): AnnotateResult {
  const path = recordPath(dir, RUN_FILES.run);
  const record = withRecordLock(path, () => {
    const r = readRecord(path);
    change(r);
    writeJsonAtomic(path, r);
    return r;
  });
  return { tags: stringsOf(record.tags), notes: stringsOf(record.notes), running: record.status === 'running', indexNotified: markRunChanged(dir) };
}

function readRecord(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TrellisError('RUN_RECORD_INVALID', `Cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    record = undefined;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new TrellisError('RUN_RECORD_INVALID', `${path} is not a JSON object`);
  return record as Record<string, unknown>;
}
