import { readFileSync } from 'node:fs';
import { recordPath } from './names.js';
import { readRunRecord } from './run-record.js';

/**
 * Records kept inside run.json instead of in files of their own. A run imported from Hydra has
 * a handful of small records and no process, metrics or environment of its own: its records
 * ride in run.json, so an import makes 3 inodes per run (the folder, `.trellis/`, run.json)
 * instead of 8. On a file system slow to allocate inodes, that count decides an import's time.
 * A record's own file, where there is one, wins: older imports wrote files.
 */
export const INLINE_RECORDS_KEY = 'inline_records';

/** run.json's marker of a run imported from elsewhere; such a run never had the other records. */
const IMPORTED_KEY = 'imported';

/** What run.json keeps for the records a run has no files for. */
export interface InlineRecords {
  /** File name → text, as the file would hold it. */
  texts: Record<string, string>;
  /**
   * Where the run was imported from (`trellis import hydra`), null for a run trellis ran.
   * Records an imported run has neither as a file nor inline were never made.
   */
  imported: ImportedFrom | null;
}

/** run.json's `imported`: the tool that made the run and its folder, which the import left in place. */
export interface ImportedFrom {
  from: string;
  dir: string;
  version: string | null;
}

/** run.json's inline records; undefined when run.json cannot be read (or is of a newer format). */
export function readInlineRecords(dir: string): InlineRecords | undefined {
  const record = readRunRecord(dir) as Record<string, unknown> | undefined;
  if (!record) return undefined;
  const given = record[INLINE_RECORDS_KEY];
  const texts: Record<string, string> = Object.create(null) as Record<string, string>;
  if (given !== null && typeof given === 'object' && !Array.isArray(given))
    for (const [file, text] of Object.entries(given)) if (typeof text === 'string') texts[file] = text;
  const imported = record[IMPORTED_KEY] as Record<string, unknown> | null | undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    texts,
    imported:
      imported !== null && typeof imported === 'object'
        ? { from: text(imported.from) ?? 'unknown', dir: text(imported.dir) ?? '', version: text(imported.version) }
        : null,
  };
}

/**
 * A record's text: its file, else run.json's inline copy. Throws the file's error when neither
 * exists. `inline` is run.json's records when the caller has read them (else read on a miss).
 */
export function readRecordText(dir: string, file: string, inline?: () => InlineRecords | undefined): string {
  try {
    return readFileSync(recordPath(dir, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const text = (inline ? inline() : readInlineRecords(dir))?.texts[file];
    if (text === undefined) throw e;
    return text;
  }
}
