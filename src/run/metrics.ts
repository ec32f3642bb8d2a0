import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { open } from 'node:fs/promises';
import { TrellisError } from '../errors/index.js';

export type MetricValue = number | string | boolean;

/**
 * One line of `metrics.jsonl`, as read. A line written by a child process (`TRELLIS_METRICS`) may
 * leave out `step` (the reader fills in the previous row's step + 1, 0 first, as `MetricsLog.log`
 * does) and `time` (left absent: nothing else knows when it was logged).
 */
export interface MetricRow {
  step: number;
  /** Seconds since the epoch, with a fraction; absent when the writer gave none. */
  time?: number;
  [name: string]: MetricValue | undefined;
}

/** Per numeric metric; `min`/`max` skip NaN and are null when every value was NaN. */
export interface MetricSummary {
  /** The value of the latest log call (in call order, not the highest step). */
  last: number;
  last_step: number;
  /** The first step that reached the minimum. */
  min: number | null;
  min_step: number | null;
  max: number | null;
  max_step: number | null;
  count: number;
}

export interface MetricsLogOptions {
  /** Buffered bytes (about) that trigger a write; default 64 KiB. */
  flushBytes?: number;
  /** A log call this long after the last write writes, so `tail -f` keeps up; default 1 s. */
  flushSeconds?: number;
  /** Seconds since the epoch; injected by tests. */
  clock?: () => number;
}

const RESERVED = new Set(['step', 'time']);
/** Encoded key prefixes are cached for speed; a job logging ever-new names must not grow it forever. */
const MAX_CACHED_KEYS = 10_000;

/**
 * The append-only `metrics.jsonl` of a run: one JSON object per `log` call. Lines are built by
 * hand and buffered, then written with `writeSync` on an fd opened for append, so logging
 * millions of scalars per second costs little; the buffer is written every `flushBytes`, after
 * `flushSeconds` and on `flush()`/`close()`. NaN and ±Infinity are written as the strings
 * "NaN", "Infinity", "-Infinity" (JSON has no such numbers) and read back as numbers.
 */
export class MetricsLog {
  readonly path: string;
  private fd: number | undefined;
  private chunks: string[] = [];
  private buffered = 0;
  /** -Infinity: the first line is written at once, so a new run shows a metrics file at once. */
  private lastWrite = Number.NEGATIVE_INFINITY;
  private nextStep = 0;
  private logged = false;
  /** The clock's last reading, and it formatted. */
  private time = Number.NaN;
  private timeText = '';
  private readonly keys = new Map<string, string>();
  private readonly stats = new SummaryBuilder();
  private readonly flushBytes: number;
  private readonly flushSeconds: number;
  private readonly clock: () => number;

  constructor(path: string, options: MetricsLogOptions = {}) {
    this.path = path;
    this.flushBytes = options.flushBytes ?? 64 * 1024;
    this.flushSeconds = options.flushSeconds ?? 1;
    this.clock = options.clock ?? (() => Date.now() / 1000);
    try {
      this.fd = openSync(path, 'a+');
      endTornLine(this.fd);
    } catch (e) {
      throw ioError(e, path, 'open');
    }
  }

  /**
   * Records `values` at `options.step`, or at the step after the previous call's (0 first);
   * an explicit step also moves that counter on.
   */
  log(values: Record<string, MetricValue>, options: { step?: number } = {}): void {
    const step = this.stepOf(options);
    let line = this.head(step);
    for (const name in values) {
      if (!Object.hasOwn(values, name)) continue;
      const value = values[name];
      line += this.keyPrefix(name) + encodeValue(name, value);
    }
    // Only once the whole line is valid, so a rejected call leaves no trace in the summary.
    for (const name in values) {
      const value = values[name];
      if (typeof value === 'number' && Object.hasOwn(values, name)) this.stats.add(name, value, step);
    }
    this.append(`${line}}\n`, step);
  }

  /**
   * `log` for a row that is JSON text already (a child's metrics line): `members` is the text
   * between its braces without "step" and "time", which the caller has checked (it parsed, every
   * value is a number, string or boolean, no name is "time"); `values` is what it parsed to, with
   * "NaN"/"Infinity"/"-Infinity" strings made numbers, for the summary ("step" in it is skipped).
   * Re-encoding every number would cost more than the rest of the line, and keeps the child's digits.
   */
  logEncoded(values: Readonly<Record<string, unknown>>, members: string, options: { step?: number } = {}): void {
    const step = this.stepOf(options);
    const line = members === '' ? `${this.head(step)}}\n` : `${this.head(step)},${members}}\n`;
    for (const name in values) {
      const value = values[name];
      if (typeof value === 'number' && name !== 'step' && Object.hasOwn(values, name)) this.stats.add(name, value, step);
    }
    this.append(line, step);
  }

  private stepOf(options: { step?: number }): number {
    if (this.fd === undefined) throw new TrellisError('METRIC_INVALID', `metrics log ${this.path} is closed`);
    const step = options.step ?? this.nextStep;
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new TrellisError('METRIC_INVALID', `A metrics step must be a non-negative integer, got ${String(step)}`);
    }
    return step;
  }

  /** The line up to its first metric; the clock is read here. */
  private head(step: number): string {
    const time = this.clock();
    // Many calls share a millisecond: formatting a double is a good part of a short line's cost.
    if (time !== this.time) {
      this.time = time;
      this.timeText = String(time);
    }
    return `{"step":${step},"time":${this.timeText}`;
  }

  /** The step of the last line logged; undefined before the first. */
  get lastStep(): number | undefined {
    return this.logged ? this.nextStep - 1 : undefined;
  }

  private append(line: string, step: number): void {
    this.nextStep = step + 1;
    this.logged = true;
    this.chunks.push(line);
    this.buffered += line.length;
    if (this.buffered >= this.flushBytes || this.time - this.lastWrite >= this.flushSeconds) {
      this.flush();
      this.lastWrite = this.time;
    }
  }

  /** Writes what is buffered. */
  flush(): void {
    if (this.fd === undefined || this.chunks.length === 0) return;
    const data = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.buffered = 0;
    try {
      // Another writer may share the file (a command job appends to it too): a line it left
      // unfinished must not swallow the start of this one.
      endTornLine(this.fd);
      for (let offset = 0; offset < data.length;) offset += writeSync(this.fd, data, offset);
    } catch (e) {
      throw ioError(e, this.path, 'write');
    }
  }

  /** Writes what is buffered and closes the file; closing twice is harmless. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Per numeric metric logged through this instance: last, min, max with their steps. */
  summary(): Record<string, MetricSummary> {
    return this.stats.toJSON();
  }

  private keyPrefix(name: string): string {
    let prefix = this.keys.get(name);
    if (prefix === undefined) {
      if (RESERVED.has(name)) {
        throw new TrellisError('METRIC_INVALID', `"${name}" is written by trellis itself and cannot be a metric name`, {
          keyPath: name,
          hint: `rename the metric, e.g. "train_${name}"; pass the step as log(values, { step })`,
        });
      }
      prefix = `,${JSON.stringify(name)}:`;
      if (this.keys.size < MAX_CACHED_KEYS) this.keys.set(name, prefix);
    }
    return prefix;
  }
}

function encodeValue(name: string, value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : `"${String(value)}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    default:
      throw new TrellisError('METRIC_INVALID', `Metric "${name}" must be a number, string or boolean, got ${typeof value}`, {
        keyPath: name,
      });
  }
}

/** A file left without a final newline (a crash mid-write) gets one, so new lines stay whole. */
function endTornLine(fd: number): void {
  const { size } = fstatSync(fd);
  if (size === 0) return;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== 0x0a) writeSync(fd, '\n');
}

export interface ReadMetricsResult {
  rows: MetricRow[];
  /** The last line, when it could not be parsed: a write cut short by a crash. */
  torn: { line: number; text: string } | null;
  /** Unparsable lines before the last (1-based line numbers), e.g. a torn line of an earlier session. */
  skipped: { line: number; text: string }[];
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/**
 * Sorts the lines of `metrics.jsonl` into rows and unparsable lines, in order. Only the last
 * unparsable line can be a torn write still in progress, so it is held back until another follows.
 * Exported for readers that follow a growing file (the UI's tail).
 */
export class LineSorter {
  readonly skipped: { line: number; text: string }[] = [];
  private bad: { line: number; text: string } | null = null;
  private lineNo = 0;
  /** The step of a row that has none: the previous row's + 1, as `MetricsLog.log` counts. */
  private nextStep = 0;

  /** The row on the next line, or undefined for a blank or unparsable one. */
  take(text: string): MetricRow | undefined {
    this.lineNo++;
    if (text.trim() === '') return undefined;
    if (this.bad) this.skipped.push(this.bad);
    const row = parseRow(text, this.nextStep);
    this.bad = row ? null : { line: this.lineNo, text };
    if (row) this.nextStep = row.step + 1;
    return row;
  }

  get torn(): { line: number; text: string } | null {
    return this.bad;
  }
}

/** Reads `metrics.jsonl` line by line (streaming), tolerating a torn last line. */
export async function readMetrics(path: string): Promise<ReadMetricsResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError(e, path, 'read');
  }
  const rows: MetricRow[] = [];
  const lines = new LineSorter();
  try {
    for await (const text of handle.readLines({ encoding: 'utf8' })) {
      const row = lines.take(text);
      if (row) rows.push(row);
    }
  } finally {
    await handle.close();
  }
  return { rows, torn: lines.torn, skipped: lines.skipped };
}

/** `readMetrics` in one synchronous read: for readers that go through many small files (exports). */
export function readMetricsSync(path: string): ReadMetricsResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw ioError(e, path, 'read');
  }
  const rows: MetricRow[] = [];
  const lines = new LineSorter();
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const row = lines.take(text.slice(from, to));
    if (row) rows.push(row);
    from = to + 1;
  }
  return { rows, torn: lines.torn, skipped: lines.skipped };
}

/**
 * Follows a `metrics.jsonl` that is still being written: each `read()` returns the rows appended
 * since the last one, reading only the new bytes. A line is taken once it ends with a newline (the
 * writer appends whole lines), so a write caught half-way is read whole next time. A missing file
 * reads as no rows yet.
 */
export class MetricsTail {
  private offset = 0;
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly lines = new LineSorter();

  constructor(readonly path: string) {}

  read(): MetricRow[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    const rows: MetricRow[] = [];
    try {
      const size = fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(0, size - this.offset)));
      while (this.offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
        if (n <= 0) break;
        this.offset += n;
        const parts = (this.rest + this.decoder.write(buffer.subarray(0, n))).split('\n');
        this.rest = parts.pop()!;
        for (const text of parts) {
          const row = this.lines.take(text);
          if (row) rows.push(row);
        }
      }
    } finally {
      closeSync(fd);
    }
    return rows;
  }
}

export interface MetricsFileSummary {
  /** Per numeric metric, as `MetricsLog.summary()` gave it while logging (NaN and ±Infinity as numbers). */
  metrics: Record<string, MetricSummary>;
  /** How many lines parsed. */
  rows: number;
  torn: ReadMetricsResult['torn'];
  skipped: ReadMetricsResult['skipped'];
}

/** Bytes read at a time: a file of millions of lines is summarised without holding it. */
const CHUNK_BYTES = 1 << 20;

/**
 * The summary of a `metrics.jsonl` file, for a run that has no `summary.json` (killed, or still
 * running): the same per-metric statistics the writer keeps, from the lines that parse; a torn
 * last line is left out. Synchronous, so it can run in an exit or signal handler, and it streams.
 * Throws RUN_IO when the file cannot be read (the cause has the errno code, ENOENT when missing).
 */
export function summarizeMetricsFile(path: string): MetricsFileSummary {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(e, path, 'read');
  }
  const stats = new SummaryBuilder();
  const lines = new LineSorter();
  let rows = 0;
  const take = (text: string) => {
    const row = lines.take(text);
    if (!row) return;
    stats.addRow(row);
    rows++;
  };
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (let n; (n = readSync(fd, buffer, 0, CHUNK_BYTES, null)) > 0;) {
      const parts = (rest + decoder.write(buffer.subarray(0, n))).split('\n');
      rest = parts.pop()!;
      for (const text of parts) take(text);
    }
    rest += decoder.end();
    if (rest !== '') take(rest);
  } catch (e) {
    throw ioError(e, path, 'read');
  } finally {
    closeSync(fd);
  }
  return { metrics: stats.toJSON(), rows, torn: lines.torn, skipped: lines.skipped };
}

/**
 * The row on one line, or undefined when the line is not a JSON object, or has a `step` or `time`
 * that is not a number (a reader does not guess what such a line meant). A missing step is
 * `nextStep`; a missing time stays absent. Values other than numbers, strings and booleans
 * (objects, arrays, null) are dropped from the row, which still counts.
 */
function parseRow(text: string, nextStep: number): MetricRow | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const row = value as Record<string, unknown>;
  // Own properties only: JSON.parse makes "__proto__" an own key, and the prototype's are not the line's.
  const step = Object.hasOwn(row, 'step') ? row.step : undefined;
  if (step === undefined) row.step = nextStep;
  else if (typeof step !== 'number') return undefined;
  if (Object.hasOwn(row, 'time') && typeof row.time !== 'number') return undefined;
  for (const name of Object.keys(row)) {
    const v = row[name];
    if (typeof v === 'string') {
      if (!RESERVED.has(name) && Object.hasOwn(NON_FINITE, v)) row[name] = NON_FINITE[v];
    } else if (typeof v !== 'number' && typeof v !== 'boolean') {
      delete row[name];
    }
  }
  return row as MetricRow;
}

/** The summary of rows read back, the same as `MetricsLog.summary()` gave while logging them. */
export function summarizeMetrics(rows: Iterable<MetricRow>): Record<string, MetricSummary> {
  const stats = new SummaryBuilder();
  for (const row of rows) stats.addRow(row);
  return stats.toJSON();
}

/** The one definition of the summary rules, for the writer and every reader. */
class SummaryBuilder {
  private readonly stats = new Map<string, MetricSummary>();

  add(name: string, value: number, step: number): void {
    let s = this.stats.get(name);
    if (!s) {
      s = { last: value, last_step: step, min: null, min_step: null, max: null, max_step: null, count: 0 };
      this.stats.set(name, s);
    }
    s.last = value;
    s.last_step = step;
    s.count++;
    if (Number.isNaN(value)) return;
    if (s.min === null || value < s.min) {
      s.min = value;
      s.min_step = step;
    }
    if (s.max === null || value > s.max) {
      s.max = value;
      s.max_step = step;
    }
  }

  /** A row read back: its numeric values (the writer logged no others into the summary). */
  addRow(row: MetricRow): void {
    for (const name of Object.keys(row)) {
      const value = row[name];
      if (typeof value === 'number' && !RESERVED.has(name)) this.add(name, value, row.step);
    }
  }

  toJSON(): Record<string, MetricSummary> {
    return Object.fromEntries([...this.stats].map(([name, s]) => [name, { ...s }]));
  }
}

function ioError(cause: unknown, path: string, action: string): TrellisError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'error';
  return new TrellisError('RUN_IO', `Cannot ${action} metrics file ${path} (${code})`, { cause });
}
