import { isAscii } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, rmdirSync, rmSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../run/atomic-write.js';
import { getPath, METRIC_STATS } from './query-fields.js';
import { isFinalStatus, metricsStamp, NOT_INDEXED, type RunSource, type StoredRun, type SummaryRead } from './stored-run.js';
import type { RunInfo, RunSummary } from './types.js';

/**
 * The index a store keeps in each root: a cache of what was read from each run directory,
 * always rebuildable from them and never the source of truth (delete it and nothing is lost; an
 * index that is damaged or of another version is rebuilt).
 *
 * What it trusts. A directory of the walk is valid while its mtime is unchanged (adding or
 * removing an entry changes a directory's mtime). A run is keyed by the identity and mtime of
 * its `.trellis/` directory: every record is written by rename (DESIGN.md §5: temp file +
 * rename), which changes that directory's mtime, so one stat tells whether anything read from
 * it may have changed. That stat is skipped for a finished run: one whose run.json records a
 * final status (completed, failed, interrupted) and whose summary.json was not found unreadable,
 * in a directory whose mtime is unchanged. After its final status, trellis rewrites a run's records
 * only for `trellis runs tag` and `runs note`, and those add and remove an entry in the run's
 * parent directory (`markRunChanged`), so the next scan checks every run there; a run added,
 * deleted or re-run (always into a new directory) changes that mtime too. Records of a
 * finished run changed by other means are seen with `--refresh` (every run checked) or
 * `--no-index`. Running, crashed, unknown and partial runs are checked every time. A summary
 * derived from metrics.jsonl (a run without summary.json) is kept with the file's size and
 * mtime, and used only while they are unchanged: lines are appended in place, which leaves
 * `.trellis/`'s mtime as it was.
 *
 * Layout: `runs.json` (the walk and run.json), `summaries.json` (summary.json) and
 * `configs.json` (resolved.yaml), so a query loads only what it needs. Each is an IndexFile:
 * columns (one value per run: its status, a metric's minimum, a config value…) and one line
 * per run with its whole record, each read and parsed only when asked for. Listing ten thousand
 * runs thus reads a few arrays, not a few hundred thousand objects, and whole records only of
 * the runs it shows. The walk finds a run's row through its directory's entry, and the two other
 * files keep their rows in the run part's order when they can (they name the `generation` of
 * runs.json they follow, a hash of its runs and their stamps), so a warm listing looks no run
 * up by its path.
 *
 * Shards: the root's own directory and the runs directly in it keep these three files in
 * `.trellis-index/`; each directory at the top of the root (a day of outputs/, a day of
 * multirun/) keeps its own in `.trellis-index/shards/NAME/`. A new run rewrites its shard only,
 * so keeping the index current costs what one top directory holds, not the whole store.
 */
const INDEX_DIR = '.trellis-index';
/** Where the shards of directories at a root's top keep their files (the root's own: INDEX_DIR). */
const SHARDS_DIR = 'shards';
const shardDir = (root: string, shard: string) => (shard === '' ? join(root, INDEX_DIR) : join(root, INDEX_DIR, SHARDS_DIR, encodeURIComponent(shard)));

/** Removes the index shards of directories no longer at the root's top (`names`: those that are). */
export function removeShardsBut(root: string, names: ReadonlySet<string>): void {
  const shards = join(root, INDEX_DIR, SHARDS_DIR);
  let entries: string[];
  try {
    entries = readdirSync(shards);
  } catch {
    return;
  }
  const kept = new Set([...names].map(encodeURIComponent));
  for (const entry of entries) if (!kept.has(entry)) rmSync(join(shards, entry), { recursive: true, force: true });
}

/** Raised whenever the layout changes: an index of another version is rebuilt. */
const VERSION = 6;
const NEWLINE = 0x0a;

/** A directory of the walk: its sub-directories, valid while its mtime is unchanged. */
export interface IndexedDir {
  mtime: number;
  children: string[];
  /** It has a `.trellis/` sub-directory (a run, or a sweep's records). */
  records: boolean;
  /** As the index holds it: each child's row in the run part, -1 for one that is no run. */
  rows?: number[];
}

/**
 * One index file: a header line `{version, sections, rows, bytes}` whose `sections` gives each
 * named section's [offset, length] in the body after it, then the sections, the rows (a line
 * each) and `#rows`, where each row starts. Only the header is read when the file is opened;
 * a section is read and parsed when first asked for, a row when it is (all rows at once after
 * a few), so a query over a large store reads the columns it needs and not the records. Every
 * read checks that the file is still the one opened (a writer replaces it by rename); one that
 * is not, or does not parse, marks it damaged and reads as absent. The file is ASCII (JSON
 * escapes the rest), so bytes are decoded as latin1, several times faster than UTF-8.
 */
class IndexFile {
  damaged = false;
  private readonly parsed = new Map<string, unknown>();
  private rowStarts: number[] | undefined;
  /** The whole row region, once enough rows were asked for that one read beats many. */
  private rowRegion: Buffer | undefined;
  /** Rows read since the file was opened or the region let go. */
  private rowReads = 0;

  private constructor(
    private readonly path: string,
    /** Inode, size and mtime when opened: a later read of another file is refused. */
    private readonly identity: string,
    /** Where the body starts (after the header line). */
    private readonly body: number,
    private readonly toc: ReadonlyMap<string, readonly [number, number]>,
    readonly rows: number,
    /** What else the header says (see RootIndex: the run part's generation). */
    readonly header: Record<string, unknown>,
  ) {}

  /** The file, or undefined when it is missing, cut short or of another version. */
  static read(path: string): IndexFile | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      const st = fstatSync(fd);
      let head = Buffer.allocUnsafe(Math.min(st.size, HEADER_READ));
      let length = readSync(fd, head, 0, head.length, 0);
      let newline = head.subarray(0, length).indexOf(NEWLINE);
      while (newline < 0 && length < st.size) {
        const longer = Buffer.allocUnsafe(Math.min(st.size, head.length * 4));
        head.copy(longer, 0, 0, length);
        head = longer;
        length += readSync(fd, head, length, head.length - length, length);
        newline = head.subarray(0, length).indexOf(NEWLINE);
      }
      if (newline < 0 || !isAscii(head.subarray(0, newline))) return undefined;
      const header = JSON.parse(head.toString('latin1', 0, newline)) as Record<string, unknown>;
      const { sections, rows, bytes } = header;
      if (header.version !== VERSION || !Number.isSafeInteger(rows) || bytes !== st.size - newline - 1) return undefined;
      if (!isMapping(sections)) return undefined;
      const toc = new Map<string, [number, number]>();
      for (const [name, at] of Object.entries(sections)) {
        if (!Array.isArray(at) || !at.every((n) => Number.isSafeInteger(n) && n >= 0) || at[0] + at[1] > (bytes as number)) return undefined;
        toc.set(name, [at[0], at[1]]);
      }
      if (!toc.has(ROW_STARTS)) return undefined;
      return new IndexFile(path, identityOf(st), newline + 1, toc, rows as number, header);
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** `length` bytes of the body at `offset`, or undefined (and the file damaged). */
  private readBody(offset: number, length: number): Buffer | undefined {
    if (this.damaged) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'r');
      if (identityOf(fstatSync(fd)) !== this.identity) throw new Error('replaced');
      const bytes = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, bytes, got, length - got, this.body + offset + got);
        if (n === 0) throw new Error('cut short');
        got += n;
      }
      if (!isAscii(bytes)) throw new Error('not ASCII');
      return bytes;
    } catch {
      this.damaged = true;
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  private parseText(text: string | undefined): unknown {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      this.damaged = true;
      return undefined;
    }
  }

  has(name: string): boolean {
    return this.toc.has(name);
  }

  section(name: string): unknown {
    if (!this.parsed.has(name)) {
      const at = this.toc.get(name);
      this.parsed.set(name, at === undefined ? undefined : this.parseText(this.readBody(at[0], at[1])?.toString('latin1')));
    }
    return this.parsed.get(name);
  }

  /** A column: a section with one value per row; undefined when absent or not one. */
  column<T>(name: string): T[] | undefined {
    const value = this.section(name);
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.length === this.rows) return value as T[];
    this.damaged = true;
    return undefined;
  }

  /** Row `row`'s text (JSON), undefined when it cannot be read. */
  rowText(row: number): string | undefined {
    if (!this.rowStarts) {
      const starts = this.section(ROW_STARTS);
      if (!Array.isArray(starts) || starts.length !== this.rows + 1) {
        this.damaged = true;
        return undefined;
      }
      this.rowStarts = starts as number[];
    }
    const start = this.rowStarts[row]!;
    const end = this.rowStarts[row + 1]! - 1;
    const first = this.rowStarts[0]!;
    const reads = ++this.rowReads;
    if (!this.rowRegion && reads > Math.max(ROWS_READ_ONE_BY_ONE, this.rows / 8)) {
      this.rowRegion = this.readBody(first, this.rowStarts[this.rows]! - first);
    }
    const region = this.rowRegion;
    // Runs keep what they parsed: once as many rows were read as there are, the region is let
    // go (the UI keeps a store open for hours: 13 MB for 10,000 runs).
    if (reads >= this.rows) {
      this.rowRegion = undefined;
      this.rowReads = 0;
    }
    if (region) return region.toString('latin1', start - first, end - first);
    return this.readBody(start, end - start)?.toString('latin1');
  }

  row(row: number): unknown {
    return this.parseText(this.rowText(row));
  }
}

const identityOf = (st: Stats) => `${st.ino}:${st.size}:${st.mtimeMs}`;
/** Bytes read for the header at first (most headers are shorter). */
const HEADER_READ = 64 * 1024;
/** The section that says where each row starts. */
const ROW_STARTS = '#rows';
/** Rows read one by one before the whole row region is read at once (or an eighth of them, if more). */
const ROWS_READ_ONE_BY_ONE = 64;

/** JSON text with every character beyond ASCII escaped (`\\uXXXX`), as index files hold it. */
const asciiJson = (value: unknown) => JSON.stringify(value).replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Writes an index file (see IndexFile) by rename, so a reader sees the old file or the new one. */
function writeIndexFile(path: string, header: Record<string, unknown>, sections: ReadonlyArray<readonly [string, unknown]>, rows: readonly string[]): void {
  const body: string[] = [];
  const toc: Record<string, [number, number]> = {};
  let at = 0;
  const add = (text: string) => {
    body.push(text);
    at += text.length + 1;
  };
  for (const [name, value] of sections) {
    const text = asciiJson(value);
    toc[name] = [at, text.length];
    add(text);
  }
  const starts: number[] = [];
  for (const row of rows) {
    starts.push(at);
    add(row);
  }
  starts.push(at);
  const startsText = JSON.stringify(starts);
  toc[ROW_STARTS] = [at, startsText.length];
  add(startsText);
  const head = asciiJson({ version: VERSION, ...header, sections: toc, rows: rows.length, bytes: at });
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, `${head}\n${body.join('\n')}\n`);
  } catch {
    // A root that cannot be written to simply keeps no index.
  }
}

const INFO_KEYS = [
  'id',
  'name',
  'status',
  'start',
  'end',
  'duration_s',
  'exit_code',
  'error',
  'host',
  'cwd',
  'entry',
  'config_dir',
  'config_name',
  'overrides',
  'sweep',
  'reproduces',
  'heartbeat',
  'heartbeat_interval_s',
  'tags',
  'notes',
  'command',
  'pruned',
] as const satisfies ReadonlyArray<keyof RunInfo>;

/** RunInfo as an array in INFO_KEYS order: a third of the size, so it parses faster. */
const packInfo = (info: RunInfo) => INFO_KEYS.map((k) => info[k]);
const INFO_INDEX = Object.fromEntries(INFO_KEYS.map((k, i) => [k, i])) as Record<(typeof INFO_KEYS)[number], number>;
/**
 * One object literal, in normalizeRunInfo's key order so that both share a shape. Assigning the
 * 22 keys one by one made each a hash table: 22 MB instead of 8 for 10,000 runs in the UI.
 */
function unpackInfo(packed: unknown[]): RunInfo {
  const at = (key: (typeof INFO_KEYS)[number]) => packed[INFO_INDEX[key]] ?? null;
  const list = (key: (typeof INFO_KEYS)[number]) => packed[INFO_INDEX[key]] ?? [];
  return {
    id: at('id'),
    name: at('name'),
    status: at('status'),
    start: at('start'),
    end: at('end'),
    duration_s: at('duration_s'),
    exit_code: at('exit_code'),
    error: at('error'),
    host: at('host'),
    cwd: at('cwd'),
    entry: at('entry'),
    config_dir: at('config_dir'),
    config_name: at('config_name'),
    command: at('command'),
    overrides: list('overrides'),
    sweep: at('sweep'),
    reproduces: at('reproduces'),
    pruned: at('pruned'),
    heartbeat: at('heartbeat'),
    heartbeat_interval_s: at('heartbeat_interval_s'),
    tags: list('tags'),
    notes: list('notes'),
  } satisfies Record<keyof RunInfo, unknown> as RunInfo;
}

/** What the run part keeps of whether summary.json was readable (see StoredRun.summaryProblem). */
function keptSummaryProblem(run: StoredRun): string | null | 0 {
  const status = run.recordedStatus();
  const problem = status !== null && isFinalStatus(status) ? run.summaryProblem() : undefined;
  return problem === undefined ? 0 : problem;
}

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** JSON keeps every number but NaN and ±Infinity. */
function jsonExact(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.every(jsonExact);
  for (const key in v) if (!jsonExact((v as Record<string, unknown>)[key])) return false;
  return true;
}

const metricColumn = (name: string, stat: string) => JSON.stringify([name, stat]);
const configColumn = (path: readonly string[]) => JSON.stringify(path);
/** A run's or directory's path in an index, from its parent's (the root's is ''). */
export const childRel = (rel: string, name: string) => (rel ? `${rel}/${name}` : name);

/** How a config column marks a row without a plain value: none at the path, or a mapping there. */
const ABSENT = '-';
const MAPPING = '*';

/** A part's `problem` for a run it holds nothing for (parts keep a row for every run). */
const NO_ENTRY = 0;

/** A part's record of a run: the value, why its file could not be read, and (summaries) a metricsStamp. */
type PartRecord = [unknown, string | null] | [unknown, string | null, string];

/**
 * summaries.json or configs.json: for each run its PartRecord (or null), a
 * `problem` column, and the columns queries read. Rows follow the run part when the header's
 * `runs` names its generation; otherwise a run is found by its path and stamp.
 */
class Part {
  readonly problems: Array<string | null | typeof NO_ENTRY>;
  private readonly aligned: boolean;
  private byPath: Map<string, number> | undefined;

  constructor(
    readonly file: IndexFile,
    private readonly index: RootIndex,
  ) {
    const problems = file.column<string | null | typeof NO_ENTRY>('problem');
    if (!problems) throw new Error('index part without its problem column');
    this.problems = problems;
    this.aligned = index.generation !== undefined && file.header.runs === index.generation;
  }

  /** The row of a run, -1 when the part has nothing for its records as they are. */
  row(run: StoredRun): number {
    const row = this.aligned && run.source === this.index && run.row >= 0 ? run.row : this.rowByPath(run);
    return row >= 0 && this.problems[row] !== NO_ENTRY ? row : -1;
  }

  private rowByPath(run: StoredRun): number {
    const stamps = this.file.column<string>('stamp');
    if (!this.byPath) {
      this.byPath = new Map();
      this.file.column<string>('rel')?.forEach((rel, row) => this.byPath!.set(rel, row));
    }
    const row = this.byPath.get(run.rel);
    return row !== undefined && stamps?.[row] === run.stamp ? row : -1;
  }

  record(row: number): PartRecord | undefined {
    const r = this.file.row(row);
    return Array.isArray(r) && (r.length === 2 || (r.length === 3 && typeof r[2] === 'string')) ? (r as PartRecord) : undefined;
  }
}

/** summaries.json: a column per statistic of each metric any of its runs logged. */
class SummaryPart extends Part {
  private readonly metrics = new Map<string, Map<string, unknown[] | null>>();
  /** Per row: the metricsStamp a derived summary was read at, else null. */
  private stamps: Array<string | null> | undefined;
  /** Rows whose derived summary was checked against metrics.jsonl: still valid or not. */
  private readonly checked = new Map<number, boolean>();

  /** As Part.row; a summary derived from metrics.jsonl also needs the file as it was. */
  override row(run: StoredRun): number {
    const row = super.row(run);
    if (row < 0) return row;
    this.stamps ??= this.file.column<string | null>('metricsStamp') ?? [];
    const stamp = this.stamps[row];
    if (typeof stamp !== 'string') return row;
    let valid = this.checked.get(row);
    if (valid === undefined) this.checked.set(row, (valid = metricsStamp(run.dir) === stamp));
    return valid ? row : -1;
  }

  /** The column of one statistic of a metric; null when no run of the part logged the metric. */
  metricColumn(name: string, stat: string): unknown[] | null {
    let stats = this.metrics.get(name);
    if (!stats) this.metrics.set(name, (stats = new Map()));
    let column = stats.get(stat);
    if (column === undefined) stats.set(stat, (column = this.file.column(metricColumn(name, stat)) ?? null));
    return column;
  }
}

/** configs.json: a column per path to a plain value, and the paths to mappings (`mappings`). */
class ConfigPart extends Part {
  /** By path: a query asks the same path (array) of every run. */
  private readonly lookups = new Map<readonly string[], ConfigLookup>();

  lookup(path: readonly string[]): ConfigLookup {
    let lookup = this.lookups.get(path);
    if (!lookup) this.lookups.set(path, (lookup = configLookup(this.file, path)));
    return lookup;
  }
}

/**
 * Where a config path's values are: a column (a plain value per row, or a flag: ABSENT, or
 * MAPPING: read the whole config), nowhere in any run, or only in whole configs.
 */
type ConfigLookup = { values: unknown[]; flags: string | null } | 'absent' | 'whole';

const isDirEntry = (d: unknown): d is [string, number, string[], boolean, number[]] =>
  Array.isArray(d) &&
  typeof d[0] === 'string' &&
  typeof d[1] === 'number' &&
  Array.isArray(d[2]) &&
  typeof d[3] === 'boolean' &&
  Array.isArray(d[4]) &&
  d[4].length === d[2].length;
const isSweepEntry = (s: unknown): s is [string, string] => Array.isArray(s) && typeof s[0] === 'string' && typeof s[1] === 'string';

/** One root's index: the run part is loaded at once, summaries and configs on first use. */
export class RootIndex implements RunSource {
  readonly dirs = new Map<string, IndexedDir>();
  /** Records directories of sweeps (walked into, not runs): path → stamp. */
  readonly sweeps = new Map<string, string>();
  /** Names this version of runs.json, for the parts that follow its rows. */
  generation: string | undefined;
  private runFile: IndexFile | undefined;
  /** Parsed on first use: a warm listing of finished runs needs no stamp. */
  private stamps: string[] | undefined;
  private statuses: Array<string | null> = [];
  /** Per run: why summary.json could not be read, null when it could, 0 when not known (or not finished). */
  private summaryProblems: Array<string | null | 0> = [];
  /** Parsed on first use (null: not in the file). */
  private ids: Array<string | null> | null | undefined;
  private starts: Array<number | null> | null | undefined;
  /** Per run not finished: run.json's heartbeat and interval (null for finished runs). */
  private beats: Array<[unknown, unknown] | null> | null | undefined;
  private rowOf: Map<string, number> | undefined;
  /** Rows whose line did not parse: never copied into a new index. */
  private readonly damagedRows = new Set<number>();
  /** Loaded on first use (null: none). */
  private summaries: SummaryPart | null | undefined;
  private configs: ConfigPart | null | undefined;
  /** The run part as this index last wrote it: its generation and runs in row order. */
  private written: { generation: string; runs: readonly StoredRun[] } | undefined;

  /** Where this shard's files are. */
  private readonly dir: string;

  /** The index of one shard of `root`: '' for the root's own directory, else a directory at its top. */
  constructor(
    readonly root: string,
    readonly enabled: boolean,
    shard = '',
  ) {
    this.dir = shardDir(root, shard);
    const file = enabled ? IndexFile.read(join(this.dir, 'runs.json')) : undefined;
    if (file) this.load(file);
  }

  /** Takes the run part from `file`, unless some of it is missing or malformed. */
  private load(file: IndexFile): void {
    const statuses = file.column<string | null>('status');
    const summaryProblems = file.column<string | null | 0>('summaryProblem');
    const dirs = file.section('dirs');
    const sweeps = file.section('sweeps');
    const { generation } = file.header;
    if (!statuses || !summaryProblems || !file.has('rel') || !file.has('stamp') || typeof generation !== 'string') return;
    if (!Array.isArray(dirs) || !dirs.every(isDirEntry) || !Array.isArray(sweeps) || !sweeps.every(isSweepEntry)) return;
    if (!dirs.every(([, , , , rows]) => rows.every((row) => Number.isInteger(row) && row >= -1 && row < file.rows))) return;
    for (const [rel, mtime, children, records, rows] of dirs) this.dirs.set(rel, { mtime, children, records, rows });
    for (const [rel, stamp] of sweeps) this.sweeps.set(rel, stamp);
    this.runFile = file;
    this.generation = generation;
    this.statuses = statuses;
    this.summaryProblems = summaryProblems;
  }

  get runCount(): number {
    return this.runFile?.rows ?? 0;
  }

  /** The row of the run at `rel`, -1 when the index has none. A directory's entry has its children's rows. */
  runRow(rel: string): number {
    if (!this.rowOf) {
      this.rowOf = new Map();
      this.runFile?.column<string>('rel')?.forEach((r, row) => this.rowOf!.set(r, row));
    }
    return this.rowOf.get(rel) ?? -1;
  }

  /** The row's stamp; '' (which no records directory has) when the column cannot be read. */
  stamp(row: number): string {
    this.stamps ??= this.runFile?.column<string>('stamp') ?? [];
    return this.stamps[row] ?? '';
  }

  heartbeat(row: number): { heartbeat: unknown; heartbeat_interval_s: unknown } | typeof NOT_INDEXED {
    if (this.beats === undefined) this.beats = this.runFile!.column<[unknown, unknown] | null>('beat') ?? null;
    const beat = this.beats?.[row];
    return Array.isArray(beat) ? { heartbeat: beat[0], heartbeat_interval_s: beat[1] } : NOT_INDEXED;
  }

  /** A finished run not known to be partial: its directory's mtime vouches for it (see above). */
  finished(row: number): boolean {
    const status = this.statuses[row];
    return typeof status === 'string' && isFinalStatus(status) && typeof this.summaryProblems[row] !== 'string';
  }

  record(row: number): RunInfo | string | typeof NOT_INDEXED {
    const r = this.runFile!.row(row);
    if (typeof r === 'string') return r;
    if (Array.isArray(r)) return unpackInfo(r);
    this.damagedRows.add(row);
    return NOT_INDEXED;
  }

  recordedStatus(row: number): string | null {
    return this.statuses[row] ?? null;
  }

  id(row: number): string | null | typeof NOT_INDEXED {
    if (this.ids === undefined) this.ids = this.runFile!.column<string | null>('id') ?? null;
    return this.ids ? (this.ids[row] ?? null) : NOT_INDEXED;
  }

  started(row: number): number | null | typeof NOT_INDEXED {
    if (this.starts === undefined) this.starts = this.runFile!.column<number | null>('start') ?? null;
    return this.starts ? (this.starts[row] ?? null) : NOT_INDEXED;
  }

  summaryProblem(row: number): string | null | undefined {
    const p = this.summaryProblems[row];
    return p === 0 ? undefined : p;
  }

  private summaryPart(): SummaryPart | null {
    if (this.summaries === undefined) this.summaries = this.loadPart('summaries.json', (f) => new SummaryPart(f, this));
    return this.summaries;
  }

  private configPart(): ConfigPart | null {
    if (this.configs === undefined) this.configs = this.loadPart('configs.json', (f) => new ConfigPart(f, this));
    return this.configs;
  }

  /** The part in `file`, null when there is none (or it is unusable). */
  private loadPart<P extends Part>(file: string, make: (f: IndexFile) => P): P | null {
    const f = this.enabled ? IndexFile.read(join(this.dir, file)) : undefined;
    try {
      return f ? make(f) : null;
    } catch {
      return null;
    }
  }

  /** The part with the run's row in it, undefined when the part has nothing for the run. */
  private partRow<P extends Part>(part: P | null, run: StoredRun): { part: P; row: number } | undefined {
    const row = part ? part.row(run) : -1;
    return row < 0 ? undefined : { part: part!, row };
  }

  summary(run: StoredRun): SummaryRead | undefined {
    const at = this.partRow(this.summaryPart(), run);
    const r = at?.part.record(at.row);
    return r && { summary: r[0] as RunSummary | null, summaryProblem: r[1], ...(r.length === 3 && { metricsStamp: r[2] }) };
  }

  metric(run: StoredRun, name: string, stat: string): unknown {
    const at = this.partRow(this.summaryPart(), run);
    if (!at) return NOT_INDEXED;
    const column = at.part.metricColumn(name, stat);
    if (at.part.file.damaged) return NOT_INDEXED;
    return column ? column[at.row] : null;
  }

  summaryPartProblem(run: StoredRun): string | null {
    return this.partProblem(this.summaryPart(), run);
  }

  config(run: StoredRun): { config: unknown; configProblem: string | null } | undefined {
    const at = this.partRow(this.configPart(), run);
    const r = at?.part.record(at.row);
    return r && { config: r[0], configProblem: r[1] };
  }

  configProblem(run: StoredRun): string | null {
    return this.partProblem(this.configPart(), run);
  }

  private partProblem(part: Part | null, run: StoredRun): string | null {
    const at = this.partRow(part, run);
    return at ? (at.part.problems[at.row] as string | null) : null;
  }

  configAt(run: StoredRun, path: readonly string[]): unknown {
    const at = this.partRow(this.configPart(), run);
    if (!at) return NOT_INDEXED;
    const lookup = at.part.lookup(path);
    if (at.part.file.damaged || lookup === 'whole') return NOT_INDEXED;
    if (lookup === 'absent') return undefined;
    const flag = lookup.flags?.[at.row];
    return flag === ABSENT ? undefined : flag === MAPPING ? NOT_INDEXED : lookup.values[at.row];
  }

  /** Kept: a mapping JSON holds exactly (no NaN or ±Infinity), or null (unreadable); others are read from their file each time. */
  keepsConfig(config: unknown): boolean {
    return config === null || (isMapping(config) && jsonExact(config));
  }

  /** Writes the run part: the walk's directories and sweeps, and what run.json held. */
  saveRuns(dirs: ReadonlyMap<string, IndexedDir>, sweeps: ReadonlyMap<string, string>, runs: readonly StoredRun[]): void {
    const kept = runs.filter((r) => r.stamp !== undefined);
    const rowOf = new Map(kept.map((run, row) => [run.rel, row]));
    const rows = kept.map(
      (run) =>
        (run.source === this && run.row >= 0 && !this.damagedRows.has(run.row) ? this.runFile!.rowText(run.row) : undefined) ??
        asciiJson(run.info ? packInfo(run.info) : run.reason()),
    );
    // Named by its runs and their stamps: rewritten with the same (only directories changed),
    // the parts that follow it stay aligned; a run re-read or added makes them look rows up.
    const hash = createHash('sha256');
    for (const run of kept) hash.update(`${run.rel}\0${run.stamp}\n`);
    const generation = hash.digest('hex').slice(0, 16);
    writeIndexFile(
      join(this.dir, 'runs.json'),
      { generation },
      [
        ['dirs', [...dirs].map(([rel, d]) => [rel, d.mtime, d.children, d.records, d.children.map((name) => rowOf.get(childRel(rel, name)) ?? -1)])],
        ['sweeps', [...sweeps]],
        ['rel', kept.map((r) => r.rel)],
        ['stamp', kept.map((r) => r.stamp)],
        ['status', kept.map((r) => r.recordedStatus())],
        ['summaryProblem', kept.map(keptSummaryProblem)],
        ['id', kept.map((r) => r.id)],
        ['start', kept.map((r) => r.started() ?? null)],
        ['beat', kept.map((r) => this.beatOf(r))],
      ],
      rows,
    );
    this.written = { generation, runs: kept };
  }

  /** What the run part keeps of a run not finished for its status: run.json's heartbeat and interval. */
  private beatOf(run: StoredRun): [unknown, unknown] | null {
    const status = run.recordedStatus();
    if (status === null || isFinalStatus(status)) return null;
    const kept = run.source === this && run.row >= 0 ? this.heartbeat(run.row) : NOT_INDEXED;
    if (kept !== NOT_INDEXED) return [kept.heartbeat, kept.heartbeat_interval_s];
    const info = run.info;
    return info ? [info.heartbeat ?? null, info.heartbeat_interval_s ?? null] : null;
  }

  /** Writes the summary part: what was read this time, and what the index had for the others. */
  saveSummaries(runs: readonly StoredRun[]): void {
    const entries = this.partEntries(
      this.summaryPart(),
      runs,
      (r) => r.loadedSummary(),
      (v): PartRecord => (v.metricsStamp === undefined ? [v.summary, v.summaryProblem] : [v.summary, v.summaryProblem, v.metricsStamp]),
    );
    // By metric, its statistics' columns (in METRIC_STATS order), named once per metric.
    const byMetric = new Map<string, unknown[][]>();
    entries.rows.forEach((entry, row) => {
      const metrics = (entry?.[0] as RunSummary | null | undefined)?.metrics ?? {};
      for (const [name, stats] of Object.entries(metrics)) {
        let columns = byMetric.get(name);
        if (!columns) byMetric.set(name, (columns = METRIC_STATS.map(() => new Array<unknown>(entries.rows.length).fill(null))));
        if (isMapping(stats)) METRIC_STATS.forEach((stat, i) => (columns[i]![row] = stats[stat] ?? null));
      }
    });
    const columns = [...byMetric].flatMap(([name, stats]) => METRIC_STATS.map((stat, i) => [metricColumn(name, stat), stats[i]] as const));
    this.savePart('summaries.json', entries, [['metricsStamp', entries.rows.map((e) => e?.[2] ?? null)], ...columns]);
  }

  /**
   * Writes the config part. Its columns hold each path that leads through mappings to a plain
   * value (a scalar or a list) in some run; `mappings` names the paths that lead to a mapping,
   * so a query for a path in neither knows no run has it.
   */
  saveConfigs(runs: readonly StoredRun[]): void {
    const entries = this.partEntries(
      this.configPart(),
      runs,
      (r) => r.loadedConfig(),
      (v) => (this.keepsConfig(v.config) ? [v.config, v.configProblem] : undefined),
    );
    this.savePart('configs.json', entries, configColumns(entries.rows.map((entry) => entry?.[0])));
  }

  /**
   * A part's rows: one per run, in the run part's order when this index knows it (then they
   * follow its generation), each the value read this time, or else what the part had for the
   * run's records as they are, or null.
   */
  private partEntries<V>(part: Part | null, runs: readonly StoredRun[], loaded: (run: StoredRun) => V | undefined, pack: (value: V) => PartRecord | undefined) {
    const old = part && !part.file.damaged ? part : undefined;
    const { generation, order } = this.runOrder(runs);
    const rows = order.map((run) => {
      const fresh = loaded(run);
      if (fresh) return pack(fresh);
      const row = old ? old.row(run) : -1;
      return row >= 0 ? old!.record(row) : undefined;
    });
    return { generation, order, rows };
  }

  /** The runs in the order of the run part on disk (and its generation) when known, else as found. */
  private runOrder(runs: readonly StoredRun[]): { generation?: string; order: readonly StoredRun[] } {
    if (this.written) return { generation: this.written.generation, order: this.written.runs };
    const stamped = runs.filter((r) => r.stamp !== undefined);
    if (this.generation === undefined || stamped.length !== this.runCount || !stamped.every((r) => r.source === this && r.row >= 0)) return { order: stamped };
    const order = new Array<StoredRun>(this.runCount);
    for (const run of stamped) order[run.row] = run;
    return { generation: this.generation, order };
  }

  private savePart(
    file: string,
    entries: { generation?: string; order: readonly StoredRun[]; rows: ReadonlyArray<PartRecord | undefined> },
    columns: ReadonlyArray<readonly [string, unknown]>,
  ): void {
    const { generation, order, rows } = entries;
    writeIndexFile(
      join(this.dir, file),
      generation ? { runs: generation } : {},
      [['rel', order.map((r) => r.rel)], ['stamp', order.map((r) => r.stamp)], ['problem', rows.map((e) => (e ? e[1] : NO_ENTRY))], ...columns],
      rows.map((e) => (e ? asciiJson(e) : 'null')),
    );
  }
}

/** A config path in the columns being built: a node of the tree of every config's mappings. */
interface PathNode {
  path: string[];
  children: Map<string, PathNode>;
  /** Leads to a mapping in some config. */
  mapping: boolean;
  /** Leads to a plain value in some config: its column, and which rows the walk filled. */
  column?: { values: unknown[]; filled: Uint8Array };
}

/**
 * The config part's columns (see saveConfigs), from one walk over the configs' mappings. A row
 * the walk did not fill (the path is missing, a mapping, or reaches into a list) is looked up.
 */
function configColumns(configs: readonly unknown[]): Array<[string, unknown]> {
  const root: PathNode = { path: [], children: new Map(), mapping: true };
  const nodes: PathNode[] = [];
  const fill = (value: Record<string, unknown>, node: PathNode, row: number) => {
    for (const key of Object.keys(value)) {
      let child = node.children.get(key);
      if (!child) {
        node.children.set(key, (child = { path: [...node.path, key], children: new Map(), mapping: false }));
        nodes.push(child);
      }
      const v = value[key];
      if (isMapping(v)) {
        child.mapping = true;
        fill(v, child, row);
      } else {
        child.column ??= { values: new Array<unknown>(configs.length).fill(null), filled: new Uint8Array(configs.length) };
        child.column.values[row] = v;
        child.column.filled[row] = 1;
      }
    }
  };
  configs.forEach((config, row) => isMapping(config) && fill(config, root, row));
  const columns: Array<[string, unknown]> = [];
  for (const { path, column } of nodes) {
    if (!column) continue;
    let flags = '';
    configs.forEach((config, row) => {
      if (column.filled[row]) {
        flags += '.';
        return;
      }
      const v = getPath(config, path);
      if (v === undefined) flags += ABSENT;
      else if (isMapping(v)) flags += MAPPING;
      else {
        column.values[row] = v;
        flags += '.';
      }
    });
    columns.push([configColumn(path), [column.values, /^\.*$/.test(flags) ? null : flags]]);
  }
  columns.push(['mappings', nodes.filter((n) => n.mapping).map((n) => configColumn(n.path))]);
  return columns;
}

/** Where the values of a config path are (see ConfigLookup). */
function configLookup(file: IndexFile, path: readonly string[]): ConfigLookup {
  const key = configColumn(path);
  const column = file.section(key);
  if (Array.isArray(column) && column.length === 2 && Array.isArray(column[0]) && column[0].length === file.rows) {
    const flags = column[1];
    if (flags === null || (typeof flags === 'string' && flags.length === file.rows)) return { values: column[0], flags };
  }
  if (column !== undefined) {
    file.damaged = true;
    return 'whole';
  }
  // A longer path than a column's can reach into its lists; a mapping's path, into its mapping.
  const mappings = file.section('mappings');
  if (!Array.isArray(mappings)) return 'whole';
  const inside = path.slice(0, -1).some((_, i) => file.has(configColumn(path.slice(0, i + 1))));
  return inside || mappings.includes(key) ? 'whole' : 'absent';
}

/**
 * Has every index that holds the run at `dir` check it again: making and removing an entry in
 * its parent changes the parent's mtime, so the next scan stats each run there (see above).
 * Call it after rewriting a finished run's records; false when the parent cannot be changed.
 */
export function markRunChanged(dir: string): boolean {
  const probe = join(dirname(dir), `.trellis-changed-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}
